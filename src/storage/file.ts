// The storage layer's only door to node:fs. Everything else in src/storage/ goes through the
// StorageFs and SegmentFile interfaces, so a fault-injecting implementation (torn writes, lost
// unsynced data, ENOSPC) can replace nodeStorageFs in tests and in the simulation.
//
// Appends and reads are synchronous: they hit the page cache in microseconds and keep ordering
// trivial (a read after an append sees it). Only the syncs are asynchronous (fdatasync runs on the
// libuv pool), so a group commit can wait for the disk without blocking the event loop. Any I/O
// error is thrown to the caller unchanged; the shell that owns the log dir translates it once.

import * as fs from 'node:fs';
import { dirname } from 'node:path';

/** An open data file (a segment's `.log`) read and written at explicit positions. */
export interface SegmentFile {
  readonly path: string;
  /** Bytes in the file as this handle has written or truncated it. */
  size(): number;
  /** Writes all of `data` at the end of the file. */
  append(data: Uint8Array): void;
  /** Reads up to `length` bytes at file `position` into `target[targetOffset..]`; fewer at end of file. */
  readAt(target: Buffer, targetOffset: number, length: number, position: number): number;
  truncate(size: number): void;
  /** Resolves once everything written so far is on stable storage. */
  fdatasync(): Promise<void>;
  /** The file's modification time (ms), used where Kafka falls back to it. */
  mtimeMs(): number;
  /** Renames the open file; later calls keep working on it. */
  rename(path: string): void;
  /** Closes the handle; a sync still in flight completes first. */
  close(): void;
}

/** The file-system operations the storage layer needs, by path. */
export interface StorageFs {
  /** Opens (creating if missing) a file for reading and positional writes. */
  openFile(path: string): SegmentFile;
  /** The whole file, or null when it does not exist. */
  readFile(path: string): Buffer | null;
  /** Replaces the file's content (no sync). */
  writeFile(path: string, data: Uint8Array): void;
  /** Appends to the file, creating it if missing (no sync). */
  appendFile(path: string, data: Uint8Array): void;
  truncateFile(path: string, size: number): void;
  /** Writes `path.tmp` and renames it over `path`: readers see the old or the new content, never a mix. */
  writeFileAtomic(path: string, data: string): void;
  /** As writeFileAtomic, but fdatasyncs the temporary file before the rename and the directory after it. */
  writeFileDurable(path: string, data: string): Promise<void>;
  /** fdatasyncs the file at `path`; a file that no longer exists is not an error. */
  syncFile(path: string): Promise<void>;
  syncDir(path: string): Promise<void>;
  syncDirSync(path: string): void;
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  /** Entry names in `dir`, sorted. */
  list(dir: string): string[];
  mkdir(dir: string): void;
  rename(from: string, to: string): void;
  /** Removes a file; a missing file is not an error. */
  remove(path: string): void;
  /** Removes a directory and everything under it. */
  removeTree(path: string): void;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

function writeAll(fd: number, data: Uint8Array, position: number | null): void {
  let written = 0;
  while (written < data.length) {
    const at = position === null ? null : position + written;
    written += fs.writeSync(fd, data, written, data.length - written, at);
  }
}

function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

class NodeSegmentFile implements SegmentFile {
  private fileSize: number;
  private syncsInFlight = 0;
  private isClosed = false;

  constructor(
    public path: string,
    private readonly fd: number,
  ) {
    this.fileSize = fs.fstatSync(fd).size;
  }

  size(): number {
    return this.fileSize;
  }

  append(data: Uint8Array): void {
    // pwrite at our own notion of the end: after a truncate the next write lands right there.
    writeAll(this.fd, data, this.fileSize);
    this.fileSize += data.length;
  }

  readAt(target: Buffer, targetOffset: number, length: number, position: number): number {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, target, targetOffset + done, length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  truncate(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.fileSize = size;
  }

  async fdatasync(): Promise<void> {
    if (this.isClosed) return;
    this.syncsInFlight++;
    try {
      await fdatasyncFd(this.fd);
    } finally {
      this.syncsInFlight--;
      // A close requested while the sync ran is carried out now, so the fd is never reused under it.
      if (this.isClosed && this.syncsInFlight === 0) fs.closeSync(this.fd);
    }
  }

  mtimeMs(): number {
    return fs.fstatSync(this.fd).mtimeMs;
  }

  rename(path: string): void {
    fs.renameSync(this.path, path);
    this.path = path;
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.syncsInFlight === 0) fs.closeSync(this.fd);
  }
}

async function syncPath(path: string, isDir: boolean): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  try {
    await (isDir ? handle.sync() : handle.datasync());
  } finally {
    await handle.close();
  }
}

export const nodeStorageFs: StorageFs = {
  openFile(path) {
    return new NodeSegmentFile(path, fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644));
  },
  readFile(path) {
    try {
      return fs.readFileSync(path);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  },
  writeFile(path, data) {
    fs.writeFileSync(path, data);
  },
  appendFile(path, data) {
    fs.appendFileSync(path, data);
  },
  truncateFile(path, size) {
    fs.truncateSync(path, size);
  },
  writeFileAtomic(path, data) {
    const tmp = `${path}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  },
  async writeFileDurable(path, data) {
    const tmp = `${path}.tmp`;
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      writeAll(fd, Buffer.from(data), 0);
      await fdatasyncFd(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path);
    await syncPath(dirname(path), true);
  },
  syncFile: (path) => syncPath(path, false),
  syncDir: (path) => syncPath(path, true),
  syncDirSync(path) {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  exists: (path) => fs.existsSync(path),
  isDirectory(path) {
    try {
      return fs.statSync(path).isDirectory();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  },
  list: (dir) => fs.readdirSync(dir).sort(),
  mkdir(dir) {
    fs.mkdirSync(dir, { recursive: true });
  },
  rename(from, to) {
    fs.renameSync(from, to);
  },
  remove(path) {
    fs.rmSync(path, { force: true });
  },
  removeTree(path) {
    fs.rmSync(path, { recursive: true, force: true });
  },
};
