/**
 * `count` distinct free TCP ports on `host` (loopback by default). The ports are
 * held open together until all are known, so they never repeat; another process
 * may still take one before the caller binds it, so callers retry on "address in use".
 */
export declare function freePorts(count: number, host?: string): Promise<number[]>;
/** One free TCP port on `host` (loopback by default). */
export declare function freePort(host?: string): Promise<number>;
/** Whether `port` on `host` can be bound now. */
export declare function isFree(port: number, host?: string): Promise<boolean>;
