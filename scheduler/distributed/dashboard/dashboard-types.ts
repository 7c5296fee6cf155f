/*
 * What the dashboard sends to the browser, and what a performance report holds: plain JSON
 * shapes shared by the scheduler side (dashboard-model.ts, performance-report.ts) and the browser
 * side (browser/render.ts, browser/dashboard-app.ts). Type-only: this file compiles to nothing,
 * so the browser modules may import it without the browser ever fetching it.
 *
 * Times are epoch milliseconds (the workers' clocks for task runs, the scheduler's for `now`);
 * sizes are bytes. A task "prefix" is its key's name without the token (keyPrefix in
 * src/core/graph/keys.ts): 'sum-partial-1a2b[3]' → 'sum-partial'.
 */

export type PageName = 'status' | 'workers' | 'graph' | 'tasks';

/** One run of one task on one worker thread: a bar in the task stream. */
export interface TaskBar {
  readonly key: string;
  readonly prefix: string;
  readonly worker: string;
  readonly thread: number;
  readonly start: number;
  readonly stop: number;
  readonly erred: boolean;
  /**
   * Runs this bar stands for (absent: 1). The live page gets back-to-back runs of one prefix on
   * one thread, less than a pixel apart, as one bar: `key` is the first run's, start..stop spans them.
   */
  readonly count?: number;
}

/**
 * The tasks of one prefix by what became of them. `released` counts tasks that ran and whose
 * result is already freed (or forgotten): they are done, like those in `memory`.
 */
export interface PrefixProgress {
  readonly prefix: string;
  readonly waiting: number;
  readonly processing: number;
  readonly memory: number;
  readonly released: number;
  readonly erred: number;
  readonly total: number;
}

export interface WorkerView {
  readonly address: string;
  readonly name: string;
  readonly nthreads: number;
  /** 0 means no limit. */
  readonly memoryLimit: number;
  /** Bytes of task results the worker holds. */
  readonly memory: number;
  /** Tasks the scheduler has sent to this worker and not heard back about. */
  readonly processing: number;
  /** Tasks running right now, as of the last heartbeat. */
  readonly executing: number;
  /** Results held. */
  readonly inMemory: number;
  readonly pid: number;
  /** CPU use since the previous heartbeat, percent of one core (all the worker's threads); undefined until reported. */
  readonly cpu?: number;
  /** Bytes of results written to disk. */
  readonly spilled?: number;
  /** Last heartbeat (or registration), scheduler clock. */
  readonly lastSeen: number;
}

export interface SlowTask {
  readonly key: string;
  readonly prefix: string;
  readonly worker: string;
  readonly start: number;
  readonly durationMs: number;
}

export interface TaskErrorView {
  readonly key: string;
  readonly worker: string;
  readonly time: number;
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** Where time went, per prefix, over the runs seen. */
export interface PrefixTiming {
  readonly prefix: string;
  readonly count: number;
  readonly erred: number;
  readonly totalMs: number;
  readonly maxMs: number;
}

export interface GraphNode {
  readonly key: string;
  readonly prefix: string;
  readonly state: string;
}

/** The scheduler's current graph; `edges` are [dependency, dependent] indices into `nodes`. */
export type GraphView =
  | {
      readonly kind: 'graph';
      readonly nodes: readonly GraphNode[];
      readonly edges: readonly (readonly [number, number])[];
    }
  | { readonly kind: 'too-large'; readonly tasks: number; readonly limit: number };

export interface TasksSummary {
  readonly slowest: readonly SlowTask[];
  readonly errors: readonly TaskErrorView[];
  readonly timings: readonly PrefixTiming[];
}

/**
 * One push over the WebSocket. Only the parts the page shows are filled in. `bars` are new runs
 * since the last update, or, with `resetBars`, the recent history that replaces what the page has.
 */
export interface DashboardUpdate {
  readonly kind: 'update';
  readonly now: number;
  readonly resetBars: boolean;
  readonly bars: readonly TaskBar[];
  readonly workers: readonly WorkerView[];
  readonly progress?: readonly PrefixProgress[];
  readonly tasks?: TasksSummary;
  readonly graph?: GraphView;
}

/** Everything a performance report shows. */
export interface ReportData {
  readonly title: string;
  readonly start: number;
  readonly stop: number;
  readonly bars: readonly TaskBar[];
  /** Runs seen but not drawn (the report keeps at most a fixed number of bars). */
  readonly barsDropped: number;
  readonly timings: readonly PrefixTiming[];
  readonly workers: readonly WorkerView[];
  readonly errors: readonly TaskErrorView[];
  readonly slowest: readonly SlowTask[];
}
