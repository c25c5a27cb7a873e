// `tideline reassign …`, a kafka-reassign-partitions.sh for Tideline (and any KRaft Kafka):
// propose a plan (--generate over a set of brokers, --decommission to empty one broker), start it
// (--execute, AlterPartitionReassignments), follow it (--verify, ListPartitionReassignments and
// Metadata; with --elect-preferred a preferred leader election afterwards), cancel it (--cancel)
// or list what is moving (--list); --execute and --verify can --wait, with a progress bar on
// stderr, until every partition of the plan is complete. The controller adds the new replicas, waits until they are in
// sync, then drops the old ones (KIP-455); this command only asks and reports. Output is Kafka's
// tool's, plans as one JSON line each. Exit codes: 0 done (for --verify: every partition
// complete); 1 a Kafka or connection error, a plan the cluster cannot take, or (--verify) a
// partition not complete yet; 2 a usage error, including a plan file that cannot be read or parsed.

import { readFile } from 'node:fs/promises';
import type { KafkaAdmin, TopicMetadata } from '../client/index.js';
import { ErrorCode } from '../protocol/errors.js';
import { processOutput, withAdmin } from './admin-run.js';
import { usageError } from './cli-args.js';
import type { CliOutput } from './groups.js';
import { startProgress } from './progress.js';
import { REASSIGN_USAGE, parseReassignArgs, type ReassignCommand } from './reassign-args.js';
import { balancedPlan, currentAssignment, decommissionPlan, formatPlan, parsePlan, planProblems, sortPartitions, verifyPlan, type PlanPartition } from './reassign-plan.js';

type Command<K extends ReassignCommand['kind']> = Extract<ReassignCommand, { kind: K }>;

/** How often --wait asks the cluster how far the reassignment is. */
const WAIT_POLL_MS = 1_000;

/** Reads a plan file's text, `-` meaning stdin. */
export type PlanReader = (file: string) => Promise<string>;

export async function runReassign(args: readonly string[], out: CliOutput = processOutput, readPlanText: PlanReader = readPlanFile): Promise<number> {
  const command = parseReassignArgs(args);
  if (command.kind === 'help') {
    out.stdout(REASSIGN_USAGE);
    return 0;
  }
  // The plan is read before connecting, so a bad file is a usage error whatever the cluster's state.
  const plan = 'planFile' in command ? parsePlan(await readPlanText(command.planFile), command.planFile === '-' ? 'stdin' : command.planFile) : [];
  return withAdmin(`reassign --${command.kind}`, command, out, async (admin) => {
    switch (command.kind) {
      case 'generate':
        return generate(admin, command, out);
      case 'decommission':
        return decommission(admin, command, out);
      case 'execute':
        return execute(admin, command, plan, out);
      case 'verify':
        return verify(admin, command, plan, out);
      case 'cancel':
        return cancel(admin, plan, out);
      default:
        return list(admin, out);
    }
  });
}

async function readPlanFile(file: string): Promise<string> {
  try {
    if (file !== '-') return await readFile(file, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    throw usageError('reassign', `cannot read the plan ${file === '-' ? 'from stdin' : `file ${file}`}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function printPlans(out: CliOutput, current: readonly PlanPartition[], proposed: readonly PlanPartition[]): void {
  out.stdout(`Current partition replica assignment\n${formatPlan(current)}\n\nProposed partition reassignment configuration\n${formatPlan(proposed)}\n`);
}

function refuse(out: CliOutput, mode: string, problems: readonly string[]): number {
  out.stderr(problems.map((p) => `tideline reassign --${mode}: ${p}\n`).join(''));
  return 1;
}

/** Existing topics by name, or the names that do not exist. */
async function topicsNamed(admin: KafkaAdmin, names: readonly string[]): Promise<{ topics: TopicMetadata[]; missing: string[] }> {
  const metadata = await admin.metadata(names);
  const found = metadata.topics.filter((t) => names.includes(t.name) && t.errorCode === ErrorCode.NONE);
  return { topics: found, missing: names.filter((n) => !found.some((t) => t.name === n)) };
}

async function generate(admin: KafkaAdmin, command: Command<'generate'>, out: CliOutput): Promise<number> {
  const { topics, missing } = await topicsNamed(admin, command.topics);
  if (missing.length > 0) return refuse(out, 'generate', missing.map((n) => `topic '${n}' does not exist`));
  const brokers = (await admin.metadata([])).brokers;
  const absent = command.brokers.filter((id) => !brokers.some((b) => b.nodeId === id));
  if (absent.length > 0) return refuse(out, 'generate', [`broker(s) ${absent.join(',')} are not live (live brokers: ${brokers.map((b) => b.nodeId).sort((a, b) => a - b).join(',')})`]);
  const current = currentAssignment(topics, await admin.listPartitionReassignments(topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })))));
  const placement = command.brokers.map((id) => ({ brokerId: id, rack: brokers.find((b) => b.nodeId === id)!.rack }));
  const { plan, problems } = balancedPlan(current, command.topics, placement);
  if (problems.length > 0) return refuse(out, 'generate', problems);
  printPlans(out, current, plan);
  return 0;
}

async function decommission(admin: KafkaAdmin, command: Command<'decommission'>, out: CliOutput): Promise<number> {
  const metadata = await admin.metadata(null);
  const current = currentAssignment(metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE), await admin.listPartitionReassignments(null));
  const live = metadata.brokers.map((b) => ({ brokerId: b.nodeId, rack: b.rack }));
  const { plan, unplaced } = decommissionPlan(current, command.brokerId, live);
  if (unplaced.length > 0) {
    return refuse(out, 'decommission', [`no other live broker can take the replica of ${unplaced.map((p) => `${p.topic}-${p.partition} [${p.replicas}]`).join(', ')}; add a broker or lower the replication factor first`]);
  }
  if (plan.length === 0) out.stderr(`tideline reassign --decommission: broker ${command.brokerId} holds no replicas; nothing to move.\n`);
  const moved = new Set(plan.map((p) => `${p.partition}:${p.topic}`));
  printPlans(out, current.filter((p) => moved.has(`${p.partition}:${p.topic}`)), plan);
  return 0;
}

async function execute(admin: KafkaAdmin, command: Command<'execute'>, plan: readonly PlanPartition[], out: CliOutput): Promise<number> {
  const metadata = await admin.metadata([...new Set(plan.map((p) => p.topic))]);
  const problems = planProblems(plan, metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE), metadata.brokers);
  if (problems.length > 0) return refuse(out, 'execute', problems);
  const ongoing = await admin.listPartitionReassignments(plan);
  const inPlan = new Set(plan.map((p) => `${p.partition}:${p.topic}`));
  const current = currentAssignment(metadata.topics, ongoing).filter((p) => inPlan.has(`${p.partition}:${p.topic}`));
  out.stdout(`Current partition replica assignment\n${formatPlan(current)}\n\nSave this to use as the --plan of a later --execute to roll back\n`);
  await admin.alterPartitionReassignments(plan.map((p) => ({ topic: p.topic, partition: p.partition, replicas: p.replicas })));
  out.stdout(`Successfully started partition reassignment${plan.length === 1 ? '' : 's'} for ${names(plan)}\n`);
  if (!command.isWaiting) return 0;
  const statuses = await waitWhileInProgress(admin, plan);
  const incomplete = statuses.filter((s) => s.state !== 'complete');
  if (incomplete.length === 0) {
    out.stdout(`Reassignment of ${names(plan)} is complete.\n`);
    return 0;
  }
  out.stderr(`tideline reassign --execute: ${names(incomplete)} did not complete; see tideline reassign --verify --plan ${command.planFile}\n`);
  return 1;
}

async function planStatuses(admin: KafkaAdmin, plan: readonly PlanPartition[]): Promise<ReturnType<typeof verifyPlan>> {
  const metadata = await admin.metadata([...new Set(plan.map((p) => p.topic))]);
  return verifyPlan(plan, metadata.topics.filter((t) => t.errorCode === ErrorCode.NONE), await admin.listPartitionReassignments(plan));
}

/** Polls until no partition of the plan is in progress, showing how many are complete. */
async function waitWhileInProgress(admin: KafkaAdmin, plan: readonly PlanPartition[]): Promise<ReturnType<typeof verifyPlan>> {
  const bar = startProgress('reassigning', plan.length);
  try {
    for (;;) {
      const statuses = await planStatuses(admin, plan);
      bar.update(statuses.filter((s) => s.state === 'complete').length, 'partitions complete');
      if (statuses.every((s) => s.state !== 'in progress')) return statuses;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
    }
  } finally {
    bar.finish();
  }
}

async function verify(admin: KafkaAdmin, command: Command<'verify'>, plan: readonly PlanPartition[], out: CliOutput): Promise<number> {
  const statuses = command.isWaiting ? await waitWhileInProgress(admin, plan) : await planStatuses(admin, plan);
  out.stdout('Status of partition reassignment:\n');
  for (const s of statuses) {
    const name = `${s.topic}-${s.partition}`;
    if (s.state === 'complete') out.stdout(`Reassignment of partition ${name} is complete.\n`);
    else if (s.state === 'in progress') out.stdout(`Reassignment of partition ${name} is still in progress (replicas now [${s.currentReplicas}]).\n`);
    else if (s.state === 'missing') out.stdout(`Partition ${name} does not exist.\n`);
    else out.stdout(`There is no active reassignment of partition ${name}, but its replicas are [${s.currentReplicas}] rather than [${s.replicas}].\n`);
  }
  const complete = statuses.filter((s) => s.state === 'complete');
  if (command.shouldElectPreferred && complete.length > 0) await electPreferred(admin, complete, out);
  return complete.length === statuses.length ? 0 : 1;
}

async function electPreferred(admin: KafkaAdmin, partitions: readonly PlanPartition[], out: CliOutput): Promise<void> {
  const results = await admin.electLeaders('preferred', partitions.map((p) => ({ topic: p.topic, partition: p.partition })));
  const elected = results.filter((r) => r.outcome === 'elected');
  const already = results.filter((r) => r.outcome === 'not-needed');
  if (elected.length > 0) out.stdout(`Successfully completed preferred leader election for partitions ${names(elected)}\n`);
  if (already.length > 0) out.stdout(`The preferred replica already leads partitions ${names(already)}\n`);
}

async function cancel(admin: KafkaAdmin, plan: readonly PlanPartition[], out: CliOutput): Promise<number> {
  const ongoing = new Set((await admin.listPartitionReassignments(plan)).map((o) => `${o.partition}:${o.topic}`));
  const active = plan.filter((p) => ongoing.has(`${p.partition}:${p.topic}`));
  if (active.length === 0) {
    out.stdout('None of the specified partition reassignments are active.\n');
    return 0;
  }
  await admin.alterPartitionReassignments(active.map((p) => ({ topic: p.topic, partition: p.partition, replicas: null })));
  out.stdout(`Successfully cancelled partition reassignment${active.length === 1 ? '' : 's'} for ${names(active)}\n`);
  return 0;
}

async function list(admin: KafkaAdmin, out: CliOutput): Promise<number> {
  const ongoing = await admin.listPartitionReassignments(null);
  if (ongoing.length === 0) {
    out.stdout('No partition reassignments found.\n');
    return 0;
  }
  out.stdout('Current partition reassignments:\n');
  for (const o of ongoing) out.stdout(`${o.topic}-${o.partition}: replicas: ${o.replicas}. adding: ${o.addingReplicas}. removing: ${o.removingReplicas}.\n`);
  return 0;
}

function names(partitions: readonly { topic: string; partition: number }[]): string {
  return sortPartitions(partitions).map((p) => `${p.topic}-${p.partition}`).join(',');
}
