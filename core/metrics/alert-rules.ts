/**
 * The six alert rules the seed recommends for PiTR (告警配置), exactly as written there: name,
 * expression, level (exported as the `severity` label) and description. The seed gives no `for`
 * duration; the one chosen for each rule is below with its reason, and goes into the exported
 * rules file as a comment.
 */
import type { AlertSeverity } from '../contract/metrics.ts';

/** One recommended rule. */
export interface AlertRule {
  name: string;
  expr: string;
  severity: AlertSeverity;
  description: string;
  forSeconds: number;
  /** Why this `for` duration (written into the exported file). */
  forReason: string;
}

const CHECKPOINT_AND_STATUS = (status: number) => ['and max(tikv_stream_store_checkpoint_ts) by (task) > 0', `and max(tikv_log_backup_task_status) by (task) == ${status}`];

/** The seed's six rules, in its order. */
export const ALERT_RULES: readonly AlertRule[] = [
  {
    name: 'LogBackupRunningRPOMoreThan10m',
    expr: ['max(time() - tikv_stream_store_checkpoint_ts / 262144000) by (task) / 60 > 10', ...CHECKPOINT_AND_STATUS(0)].join('\n'),
    severity: 'warning',
    description: '日志数据超过 10 分钟未持久化到存储中，这里主要是提醒，大部分情况下日志备份还会正常推进',
    forSeconds: 60,
    forReason: 'the expression already waits for 10 minutes without progress; 1m only rides out one scrape that lands just before a flush moves the checkpoint',
  },
  {
    name: 'LogBackupRunningRPOMoreThan30m',
    expr: ['max(time() - tikv_stream_store_checkpoint_ts / 262144000) by (task) / 60 > 30', ...CHECKPOINT_AND_STATUS(0)].join('\n'),
    severity: 'critical',
    description: '日志数据超过 30 分钟未持久化到存储中，此时极可能出现异常，可以查看 TiKV 日志定位原因',
    forSeconds: 60,
    forReason: 'as for the 10m rule: the lag itself is the duration, 1m filters a single racing scrape; longer would only delay a critical page',
  },
  {
    name: 'LogBackupPausingMoreThan2h',
    expr: ['max(time() - tikv_stream_store_checkpoint_ts / 262144000) by (task) / 3600 > 2', ...CHECKPOINT_AND_STATUS(1)].join('\n'),
    severity: 'warning',
    description: '日志备份任务处于暂停状态超过 2 小时，这里主要是提醒，建议尽早执行 `br log resume` 恢复任务',
    forSeconds: 600,
    forReason: 'a reminder, not a page: a planned pause (maintenance, a restore drill) often ends right after 2h, so wait 10m more before reminding',
  },
  {
    name: 'LogBackupPausingMoreThan12h',
    expr: ['max(time() - tikv_stream_store_checkpoint_ts / 262144000) by (task) / 3600 > 12', ...CHECKPOINT_AND_STATUS(1)].join('\n'),
    severity: 'critical',
    description: '日志备份任务处于暂停状态超过 12 小时，应尽快执行 `br log resume` 恢复任务。任务处于暂停状态时间过长会有数据丢失的风险',
    forSeconds: 60,
    forReason: 'by 12h the pause GC guard (br log pause --gc-ttl, 24h by default) is half spent: page after one confirming minute',
  },
  {
    name: 'LogBackupFailed',
    expr: ['max(tikv_log_backup_task_status) by (task) == 2', 'and max(tikv_stream_store_checkpoint_ts) by (task) > 0'].join('\n'),
    severity: 'critical',
    description: '日志备份任务进入失败状态，需要执行 `br log status` 查看失败原因，如有必要还需进一步查看 TiKV 日志',
    forSeconds: 0,
    forReason: 'a failed task never recovers by itself (it waits for br log resume) and every minute adds to the RPO: fire at once',
  },
  {
    name: 'LogBackupGCSafePointExceedsCheckpoint',
    expr: 'min(tikv_stream_store_checkpoint_ts) by (instance) - max(tikv_gcworker_autogc_safe_point) by (instance) < 0',
    severity: 'critical',
    description: '部分数据未被备份就已经被 GC，此时已有部分数据丢失，极有可能对业务产生影响',
    forSeconds: 0,
    forReason: 'data is already lost and the GC safe point never moves back, so waiting cannot clear it: fire at once',
  },
];

function duration(s: number): string {
  return s % 3600 === 0 && s > 0 ? `${s / 3600}h` : s % 60 === 0 && s > 0 ? `${s / 60}m` : `${s}s`;
}

/** The summary annotation: the GC rule is per store instance, the others per task. */
export function summaryTemplate(r: AlertRule): string {
  return r.expr.includes('by (instance)') ? `${r.name} on instance {{ $labels.instance }}` : `${r.name} on task {{ $labels.task }}`;
}

/** The rules as a Prometheus rules file (YAML; strings JSON-quoted, which YAML reads as is). */
export function alertRulesYaml(): string {
  const lines = [
    '# PiTR log backup alert rules, as recommended by the PiTR overview (告警配置).',
    '# Exported by PiTR Studio. Check with: promtool check rules <this file>',
    '# The metrics come from TiKV (tikv_*); scrape them with `honor_labels: true` so that the',
    "# stores' `instance` labels stay as exported (the GC rule groups by instance).",
    'groups:',
    '  - name: pitr-log-backup',
    '    rules:',
  ];
  for (const r of ALERT_RULES) {
    lines.push(`      - alert: ${r.name}`, '        expr: |');
    for (const l of r.expr.split('\n')) lines.push(`          ${l}`);
    lines.push(`        # for ${duration(r.forSeconds)}: ${r.forReason}`);
    lines.push(`        for: ${duration(r.forSeconds)}`, '        labels:', `          severity: ${r.severity}`, '        annotations:');
    lines.push(`          summary: ${JSON.stringify(summaryTemplate(r))}`);
    lines.push(`          description: ${JSON.stringify(r.description)}`);
  }
  return `${lines.join('\n')}\n`;
}
