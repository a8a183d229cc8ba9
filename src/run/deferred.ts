/**
 * A promise with its resolve and reject at hand (Promise.withResolvers, which Node 20 does not have). A value that
 * arrives later may fail before anyone awaits it (a seal fails while the workbook is still being written): that
 * rejection is not "unhandled" — whoever awaits the promise later still gets it.
 */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: Error): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Settles `d` with what `work` gives, or with its failure (then thrown on as well). */
export async function settleWith<T>(d: Deferred<T>, work: () => Promise<T>): Promise<T> {
  try {
    const value = await work();
    d.resolve(value);
    return value;
  } catch (err) {
    d.reject(err as Error);
    throw err;
  }
}
