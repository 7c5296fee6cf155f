/*
 * RestartPolicy: how a supervisor (a worker pool, the nanny) tells workers that cannot start from
 * workers that died at work. A worker that dies before its entry file has loaded (a Node option it
 * cannot take, a broken build, a heap limit too small) would usually die the same way again, so
 * restarting it for ever would loop; a one-off (a signal during start) deserves another try. So
 * deaths before loading are counted in a row, the count starts again whenever a worker loads, and
 * at three (as Dask's nanny) the supervisor gives up and says why.
 */

export const FAILED_STARTS_LIMIT = 3;

export class RestartPolicy {
  private inARow = 0;

  /** Deaths before loading since a worker last loaded. */
  get failedInARow(): number {
    return this.inARow;
  }

  /** A worker has loaded: the count starts again. */
  loaded(): void {
    this.inARow = 0;
  }

  /** A worker died before loading; true when that makes the limit and the supervisor should give up. */
  diedBeforeLoading(): boolean {
    return ++this.inARow >= FAILED_STARTS_LIMIT;
  }
}
