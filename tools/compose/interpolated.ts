/**
 * `${NAME:-default}` as Compose reads it in an empty environment: the default (the demo's passwords and limits). A variable
 * without a default would be empty there, which no demo should need.
 */
export function interpolated(text: string): string {
  return text.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (expression, _name: string, fallback?: string) => {
    if (fallback === undefined) throw new Error(`${expression} has no default`);
    return fallback;
  });
}
