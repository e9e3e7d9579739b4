/**
 * What parsing an incoming event can give besides a value: a typed "ignore" (the event is
 * fine but not for us, so the handler answers 2xx and does nothing) or "malformed" (the
 * request is broken, the handler answers 400 and touches nothing). Parsers never throw.
 */

/** Ignored is an event acknowledged and dropped, with the reason a log line shows. */
export interface Ignored {
  kind: 'ignore';
  reason: string;
}

/** Malformed is a request that cannot be an event of this kind; `message` names what is wrong. */
export interface Malformed {
  kind: 'malformed';
  message: string;
}

/** ignore builds an Ignored outcome (pure). */
export function ignore(reason: string): Ignored {
  return { kind: 'ignore', reason };
}

/** malformed builds a Malformed outcome (pure). */
export function malformed(message: string): Malformed {
  return { kind: 'malformed', message };
}

/** isObject reports whether a value is a plain JSON object (pure). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** textField reads a non-empty string field of a JSON object (pure). */
export function textField(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
