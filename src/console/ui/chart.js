// A live line chart over uPlot: x is seconds since the epoch, one series per name.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const COLORS = ['#2b7bb9', '#d9822b', '#3a9e5d', '#b5446e'];

export function lineChart(container, title, seriesNames, format = (v) => v) {
  const opts = {
    title,
    width: Math.max(300, container.clientWidth || 520),
    height: 200,
    series: [{}, ...seriesNames.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 2, value: (_u, v) => (v === null ? '–' : format(v)) }))],
    axes: [{}, { values: (_u, ticks) => ticks.map(format), size: 70 }],
  };
  const plot = new uPlot(opts, [[], ...seriesNames.map(() => [])], container);
  return {
    set(xs, ...ys) {
      plot.setData([xs, ...ys]);
    },
    destroy() {
      plot.destroy();
    },
  };
}
