// A uPlot time-series chart that follows its container's width.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatSI } from '../lib/format';

export interface Series { label: string; color: string; values: (number | null)[] }

interface Props {
  times: number[];            // epoch ms
  series: Series[];
  unit: string;
  height?: number;
  testId?: string;
}

const AXIS = { stroke: '#8b98a9', grid: { stroke: 'rgba(139,152,169,0.12)', width: 1 }, ticks: { stroke: 'rgba(139,152,169,0.25)', width: 1 } };

const pad = (n: number) => String(n).padStart(2, '0');
/** Axis tick label (epoch seconds) as a 24-hour clock; seconds only when not on the minute. */
function clock(t: number): string {
  const d = new Date(t * 1000);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() ? `${hm}:${pad(d.getSeconds())}` : hm;
}

// Whole-second tick steps only (seconds), so labels never repeat.
const X_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** Chart height that grows with the screen: ~200 px on a laptop, up to 380 on a large monitor. */
export function autoHeight(): number {
  const h = typeof window === 'undefined' ? 800 : window.innerHeight;
  return Math.round(Math.max(200, Math.min(380, h * 0.26)));
}

function makeOpts(width: number, height: number, series: Series[]): uPlot.Options {
  return {
    width, height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { ...AXIS, space: 90, incrs: X_INCRS, values: (_u, ticks) => ticks.map(clock) },
      { ...AXIS, size: 64, values: (_u, ticks) => ticks.map((v) => formatSI(v)) },
    ],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label, stroke: s.color, width: 2,
        fill: s.color + '22', points: { show: false },
      })),
    ],
  };
}

export function TimeChart({ times, series, unit, height = autoHeight(), testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
  const key = series.map((s) => s.label + s.color).join('|') + unit;

  useEffect(() => {
    const el = box.current;
    // Environments without layout (jsdom in unit tests) cannot draw: leave the box empty.
    if (!el || typeof ResizeObserver === 'undefined') return;
    const u = new uPlot(makeOpts(el.clientWidth || 600, height, series), data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => { ro.disconnect(); u.destroy(); plot.current = null; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, height]);

  useEffect(() => { plot.current?.setData(data); });

  return <div className="chart" ref={box} data-testid={testId} />;
}
