// A StorageFs for tests that can "crash": crash() closes every file opened through it without the
// log's own close (no index entries persisted, no final time index entry), which is what a killed
// process leaves behind. Written bytes stay, as they would in the page cache.

import { nodeStorageFs, type SegmentFile, type StorageFs } from '../../../src/storage/file.js';

export function crashableFs(): { fs: StorageFs; crash: () => void } {
  let open: SegmentFile[] = [];
  const fs: StorageFs = {
    ...nodeStorageFs,
    openFile(path) {
      const file = nodeStorageFs.openFile(path);
      open.push(file);
      return file;
    },
  };
  const crash = (): void => {
    for (const file of open) file.close();
    open = [];
  };
  return { fs, crash };
}
