/** The help's columns: `  --flag ARG              what it does` (a long flag puts its text on the lines below). */
export function usageLine(flag: string, text: string): string {
  const [first = '', ...rest] = text.split('\n');
  const pad = ' '.repeat(26);
  const head = flag.length < 22 ? `  ${flag.padEnd(22)}  ${first}` : `  ${flag}\n${pad}${first}`;
  return [head, ...rest.map((r) => `${pad}${r}`)].join('\n');
}
