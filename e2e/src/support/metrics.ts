/** Reads a service's /metrics (the Prometheus text format) into `series -> value`, a series named as in the text. */
export async function scrape(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

/** The value of a series, 0 when the service has not written it (yet). */
export const valueOf = (series: Map<string, number>, name: string): number => series.get(name) ?? 0;
