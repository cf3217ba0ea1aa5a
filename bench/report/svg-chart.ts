import type { ChartBar } from '../scenarios/scenario.js';

const WIDTH = 860;
const LABEL_WIDTH = 300;
const ROW_HEIGHT = 30;
const TOP = 40;
const BOTTOM = 40;
const MIN = 0.1;
const MAX = 1_000;
const TICKS = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1_000];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The ratios of a run as one self-contained SVG (no external tools): a log-scale bar per
 * ratio at its median, a whisker from min to max of the pair ratios, and the target as a
 * red tick (bar green when the target is met, orange when missed, grey when there is none).
 */
export function ratioChart(bars: ChartBar[], title: string): string {
  const plotWidth = WIDTH - LABEL_WIDTH - 60;
  const x = (value: number) => LABEL_WIDTH + (Math.log10(Math.min(MAX, Math.max(MIN, value)) / MIN) / Math.log10(MAX / MIN)) * plotWidth;
  const height = TOP + bars.length * ROW_HEIGHT + BOTTOM;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(title)}</text>`,
  ];
  for (const tick of TICKS) {
    const tx = x(tick).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${TOP - 6}" x2="${tx}" y2="${height - BOTTOM}" stroke="${tick === 1 ? '#888' : '#e4e4e4'}"/>`);
    parts.push(`<text x="${tx}" y="${height - BOTTOM + 16}" text-anchor="middle" fill="#555">${tick}×</text>`);
  }
  parts.push(`<text x="${LABEL_WIDTH + plotWidth / 2}" y="${height - 8}" text-anchor="middle" fill="#555">ratio (log scale): bar = median of interleaved pair ratios, whisker = min–max, red tick = target</text>`);
  bars.forEach((bar, index) => {
    const y = TOP + index * ROW_HEIGHT;
    const met = bar.target ? (bar.target.direction === 'min' ? bar.ratio.median >= bar.target.value : bar.ratio.median <= bar.target.value) : undefined;
    const fill = met === undefined ? '#9aa5b1' : met ? '#3a9d5d' : '#e08a2c';
    parts.push(`<text x="${LABEL_WIDTH - 8}" y="${y + 19}" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${x(MIN)}" y="${y + 6}" width="${(x(bar.ratio.median) - x(MIN)).toFixed(1)}" height="18" fill="${fill}"/>`);
    parts.push(`<line x1="${x(bar.ratio.min).toFixed(1)}" y1="${y + 15}" x2="${x(bar.ratio.max).toFixed(1)}" y2="${y + 15}" stroke="#222" stroke-width="1.5"/>`);
    for (const end of [bar.ratio.min, bar.ratio.max]) {
      parts.push(`<line x1="${x(end).toFixed(1)}" y1="${y + 10}" x2="${x(end).toFixed(1)}" y2="${y + 20}" stroke="#222" stroke-width="1.5"/>`);
    }
    if (bar.target) {
      const tx = x(bar.target.value).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${y + 3}" x2="${tx}" y2="${y + 27}" stroke="#d62728" stroke-width="2.5"/>`);
    }
    const value = bar.ratio.median >= 10 ? Math.round(bar.ratio.median).toString() : bar.ratio.median.toFixed(2);
    parts.push(`<text x="${(x(Math.max(bar.ratio.max, bar.ratio.median)) + 6).toFixed(1)}" y="${y + 19}" fill="#222">${value}×</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
