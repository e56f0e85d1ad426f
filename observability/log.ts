// One logger for the server and the worker: pino (maintained, fast, JSON lines). Every line
// passes through redact() on its way out, whoever wrote it: signing links, bearer tokens,
// one-time codes and keys never reach a log. A line about a contract's work carries
// `contractId`: activities and workflow code log through Temporal's logger, whose lines
// name their workflow (a contract's workflow id is its contract id, see contractIdFor);
// routes add the :id of the contract they act on (server/route.ts).
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { redact } from './redact';

export type LogFormat = 'json' | 'plain';
export type HubLogger = PinoLogger;

export interface LoggerOptions {
  /** 'json' (one object a line, the default) or 'plain' (readable lines); config LOG_FORMAT chooses for a hub. */
  format?: LogFormat;
  /** LOG_LEVEL: trace, debug, info, warn, error, silent; default info. */
  level?: LevelWithSilent;
  /** Where finished (redacted) lines go; default stdout. Tests capture them here. */
  write?: (line: string) => void;
  /** Fields on every line, e.g. { role: 'worker' }. */
  base?: Record<string, unknown>;
}

const PLAIN_OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'contractId']);

/** A JSON line as a person reads it: time, level, [contract], message, the other fields as key=value. */
function plainLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    // Never lose a line, nor the process, over its form: it goes out as it is.
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const rest = Object.entries(entry)
    .filter(([key]) => !PLAIN_OMIT.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const level = pino.levels.labels[entry.level as number] ?? String(entry.level);
  const contract = entry.contractId ? ` [${entry.contractId}]` : '';
  return `${new Date(entry.time as number).toISOString()} ${level.toUpperCase()}${contract} ${entry.msg ?? ''}${rest.length ? ` ${rest.join(' ')}` : ''}\n`;
}

export function createLogger(options: LoggerOptions = {}): HubLogger {
  const format = options.format ?? 'json';
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  return pino(
    { level: options.level ?? 'info', base: options.base ?? null, timestamp: pino.stdTimeFunctions.epochTime, messageKey: 'msg' },
    {
      write(line: string) {
        const safe = redact(line);
        write(format === 'json' ? safe : plainLine(safe));
      },
    },
  );
}

const TEMPORAL_LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The workflow types whose workflow id is a contract id. */
const CONTRACT_WORKFLOW_TYPES = new Set(['contractFlow']);

/**
 * Temporal's Logger interface over the hub logger, for Runtime.install({ logger }): the SDK's
 * lines, activities' `log` and workflow `log` calls. A line from a contract's workflow or
 * one of its activities gets `contractId` (its workflow id).
 */
export function temporalLogger(logger: HubLogger): TemporalLogger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => {
    // The task token completes the activity from outside: not for a log line.
    const { taskToken: _taskToken, ...fields }: Record<string, unknown> = { ...meta };
    if (typeof fields.workflowId === 'string' && CONTRACT_WORKFLOW_TYPES.has(String(fields.workflowType))) fields.contractId = fields.workflowId;
    logger[TEMPORAL_LEVELS[level] ?? 'info'](fields, message);
  };
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}
