// `tideline groups …`, a kafka-consumer-groups.sh for Tideline (and any Kafka cluster): list
// groups, describe a group's offsets, lag, members or state, and reset a memberless group's
// offsets. Exit codes: 0 done; 1 a Kafka or connection error, a group that does not exist, or a
// group that is active where reset needs it empty; 2 a usage error (thrown as
// TidelineError(CLI_USAGE), which main.ts prints). Tables go to stdout, notes and errors to stderr.

import { type KafkaAdmin, type GroupDescription, type OffsetSpec, type TopicPartition } from '../client/index.js';
import { processOutput, withAdmin } from './admin-run.js';
import { formatJson, formatTable } from './format.js';
import { GROUPS_USAGE, parseGroupsArgs, type GroupsCommand } from './groups-args.js';
import { formatMemberRows, formatOffsetRows, formatStateRow, memberRows, offsetRows, partitionsToDescribe, stateRow } from './groups-describe.js';
import { partitionKey, planReset, resolveTargets, type OffsetLookup } from './reset-offsets.js';

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

type Command<K extends GroupsCommand['kind']> = Extract<GroupsCommand, { kind: K }>;

/** Kafka's reset tool refuses a group with members, whose next commit would undo the reset. */
const RESETTABLE_STATES = new Set(['Empty', 'Dead']);

export async function runGroups(args: readonly string[], out: CliOutput = processOutput): Promise<number> {
  const command = parseGroupsArgs(args);
  if (command.kind === 'help') {
    out.stdout(GROUPS_USAGE);
    return 0;
  }
  return withAdmin('groups', command, out, (admin) => {
    if (command.kind === 'list') return listGroups(admin, command, out);
    if (command.kind === 'describe') return describeGroup(admin, command, out);
    return resetOffsets(admin, command, out);
  });
}

async function listGroups(admin: KafkaAdmin, command: Command<'list'>, out: CliOutput): Promise<number> {
  const groups = await admin.listGroups({ states: command.states });
  if (command.isJson) {
    out.stdout(formatJson(groups.map((g) => ({ group: g.groupId, state: g.groupState, protocolType: g.protocolType, type: g.groupType }))));
  } else if (command.isStateShown) {
    out.stdout(formatTable(['GROUP', 'STATE'], groups.map((g) => [g.groupId, g.groupState])));
  } else {
    out.stdout(groups.map((g) => `${g.groupId}\n`).join(''));
  }
  return 0;
}

async function describeGroup(admin: KafkaAdmin, command: Command<'describe'>, out: CliOutput): Promise<number> {
  const group = await admin.describeGroup(command.groupId);
  const committed = command.view === 'offsets' ? await admin.fetchCommittedOffsets(command.groupId) : [];
  if (group.groupState === 'Dead' && committed.length === 0) {
    out.stderr(`tideline groups: consumer group '${command.groupId}' does not exist; \`tideline groups list\` shows the groups there are.\n`);
    return 1;
  }
  if (command.view === 'state') {
    const row = stateRow(group);
    out.stdout(command.isJson ? formatJson(row) : formatStateRow(row));
    return 0;
  }
  noteGroupActivity(group, command.isJson, out);
  if (command.view === 'members') {
    const rows = memberRows(group);
    out.stdout(command.isJson ? formatJson(rows) : formatMemberRows(rows, command.isVerbose));
    return 0;
  }
  const partitions = partitionsToDescribe(group, committed);
  const logEnd = await offsetsBySpec(admin)(partitions, 'latest');
  const rows = offsetRows(group, committed, logEnd);
  out.stdout(command.isJson ? formatJson({ group: group.groupId, state: group.groupState, partitions: rows }) : formatOffsetRows(rows));
  return 0;
}

function noteGroupActivity(group: GroupDescription, isJson: boolean, out: CliOutput): void {
  if (isJson) return;
  if (group.members.length === 0) out.stderr(`Consumer group '${group.groupId}' has no active members.\n`);
  else if (group.groupState === 'PreparingRebalance' || group.groupState === 'CompletingRebalance') {
    out.stderr(`Warning: consumer group '${group.groupId}' is rebalancing.\n`);
  }
}

async function resetOffsets(admin: KafkaAdmin, command: Command<'reset-offsets'>, out: CliOutput): Promise<number> {
  const group = await admin.describeGroup(command.groupId);
  if (!RESETTABLE_STATES.has(group.groupState)) {
    out.stderr(
      `tideline groups: offsets of group '${command.groupId}' can only be reset while it has no members, but it is ${group.groupState} ` +
        `with ${group.members.length} member(s); stop its consumers and try again.\n`,
    );
    return 1;
  }
  const committed = await admin.fetchCommittedOffsets(command.groupId);
  const topicNames = command.targets === 'all-topics' ? null : [...new Set(command.targets.map((t) => t.topic))];
  const topics = topicNames === null ? [] : (await admin.metadata(topicNames)).topics;
  const partitions = resolveTargets(command.targets, topics, committed);
  const plan = await planReset(command.strategy, partitions, committed, offsetsBySpec(admin));
  if (command.isExecute) {
    await admin.commitOffsets(command.groupId, plan.map(({ topic, partition, newOffset }) => ({ topic, partition, offset: newOffset })));
  } else if (!command.isDryRunExplicit && !command.isJson) {
    out.stderr('Dry run: no offsets were changed; add --execute to commit them.\n');
  }
  if (command.isJson) {
    out.stdout(formatJson({ group: command.groupId, executed: command.isExecute, partitions: plan }));
  } else {
    out.stdout(formatTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], plan.map((p) => [command.groupId, p.topic, p.partition, p.newOffset])));
  }
  return 0;
}

/** ListOffsets through the admin client, keyed like the rest of the CLI (`topic:partition`). */
function offsetsBySpec(admin: KafkaAdmin): OffsetLookup {
  return async (partitions: readonly TopicPartition[], spec: OffsetSpec) => {
    const listed = await admin.listOffsets(partitions.map((tp) => ({ ...tp, spec })));
    return new Map(listed.map((l) => [partitionKey(l), l.offset]));
  };
}
