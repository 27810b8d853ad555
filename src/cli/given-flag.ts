/** Which flag of a set was given: the test both "belongs to another command" refusals make. */

/** The first of `names` that was given (a boolean set, a string, a list not empty), or undefined. */
export function givenFlag(values: Record<string, unknown>, names: Iterable<string>): string | undefined {
  for (const k of names) {
    const v = values[k];
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) return k;
  }
  return undefined;
}
