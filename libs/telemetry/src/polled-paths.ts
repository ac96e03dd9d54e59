/**
 * The paths a platform polls (health probes, metric scrapes): a span or a log line for each would bury the
 * sagas' own. Tracing skips them, the request log writes them at `verbose` only.
 */
export const isPolledPath = (url: string): boolean => /^\/(health|metrics)(\/|\?|$)/.test(url);
