// Data directory identity and exclusivity. Each log dir holds Kafka's `meta.properties`
// (version, cluster.id, node.id) so a directory cannot be reused by another node or cluster by
// mistake, and a `.lock` file with the owner's pid so two processes never share a directory.

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { TidelineError, TidelineErrorCode } from '../common/errors.js';
import { parseProperties } from '../config/broker-config.js';

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
}

export function readOrCreateMetaProperties(dirs: string[], nodeId: number, newClusterId: () => string): MetaProperties {
  let clusterId: string | undefined;
  for (const dir of dirs) {
    const file = join(dir, 'meta.properties');
    if (!existsSync(file)) continue;
    const props = parseProperties(readFileSync(file, 'utf8'));
    const storedNode = Number(props.get('node.id'));
    if (storedNode !== nodeId) {
      throw new TidelineError(TidelineErrorCode.STORAGE_CLUSTER_MISMATCH, `${dir} belongs to node.id=${storedNode}, not ${nodeId}`);
    }
    const storedCluster = props.get('cluster.id');
    if (clusterId !== undefined && storedCluster !== clusterId) {
      throw new TidelineError(TidelineErrorCode.STORAGE_CLUSTER_MISMATCH, `log dirs belong to different clusters (${clusterId}, ${storedCluster})`);
    }
    clusterId = storedCluster;
  }
  clusterId ??= newClusterId();
  for (const dir of dirs) {
    const file = join(dir, 'meta.properties');
    if (existsSync(file)) continue;
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `# written by tideline\nversion=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  }
  return { clusterId, nodeId };
}

/** Takes `.lock` in every dir; returns the release function. A lock whose pid is gone is stale. */
export function lockDataDirs(dirs: string[]): () => void {
  const taken: string[] = [];
  const release = (): void => {
    for (const f of taken.splice(0)) rmSync(f, { force: true });
  };
  for (const dir of dirs) {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, '.lock');
    if (existsSync(file)) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        release();
        throw new TidelineError(TidelineErrorCode.STORAGE_LOCKED, `${dir} is in use by process ${pid}`);
      }
      rmSync(file, { force: true });
    }
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    taken.push(file);
  }
  return release;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
