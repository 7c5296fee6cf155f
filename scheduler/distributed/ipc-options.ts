/*
 * Options for a child process (nanny, worker) travel as the first IPC message {type: 'options',
 * options}, never in argv: they hold the cluster's token, and every user of the machine can read
 * any process's argv (ps, /proc/PID/cmdline).
 */

/** Sends `options` to a forked child. */
export function sendOptions(child: { send(message: unknown): boolean }, options: unknown): void {
  child.send({ type: 'options', options });
}

/** The first {type: 'options'} message on this process's IPC channel. */
export function optionsFromParent<T>(): Promise<T> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('this entry file must be started with an IPC channel (child_process.fork)'));
      return;
    }
    const on = (m: { type?: string; options?: T }): void => {
      if (m.type !== 'options' || m.options === undefined) return;
      process.off('message', on);
      resolve(m.options);
    };
    process.on('message', on);
  });
}
