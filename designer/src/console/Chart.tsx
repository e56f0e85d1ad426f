// A bar chart drawn by ECharts (tree-shaken to bars, axes, tooltip and legend on canvas,
// about a third of the full library). Only the statistics page imports it, lazily.
// The same numbers stand in a table under each chart for screen readers and keyboard users.
import { BarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export interface Series {
  name: string;
  values: number[];
}

export function Bars({ labels, series, horizontal = false, label, format }: { labels: string[]; series: Series[]; horizontal?: boolean; label: string; format?: (value: number) => string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return;
    const chart = echarts.init(element.current, undefined, { renderer: 'canvas' });
    const categories = { type: 'category' as const, data: labels };
    const values = { type: 'value' as const, minInterval: format ? undefined : 1, ...(format ? { axisLabel: { formatter: (value: number) => format(value) } } : {}) };
    chart.setOption({
      // Canvas text takes no CSS: give it the page's fonts (its webfont carries the Chinese).
      textStyle: { fontFamily: getComputedStyle(element.current).fontFamily },
      aria: { enabled: true, label: { description: label } },
      color: ['#3370ff', '#14a9a0', '#ff8800', '#7f3bf5'],
      tooltip: { trigger: 'axis', valueFormatter: format ? (value: unknown) => format(Number(value)) : undefined },
      legend: { show: series.length > 1, top: 0 },
      grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? { ...categories, inverse: true } : values,
      series: series.map((s) => ({ type: 'bar', name: s.name, data: s.values, barMaxWidth: 28 })),
    });
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(element.current);
    // Text drawn before the webfont arrived stays in the fallback font: draw again once it is in.
    let disposed = false;
    void document.fonts?.ready.then(() => !disposed && chart.setOption({ textStyle: { fontFamily: getComputedStyle(element.current!).fontFamily } }));
    return () => {
      disposed = true;
      resize.disconnect();
      chart.dispose();
    };
  }, [labels, series, horizontal, label, format]);
  return <div ref={element} className="chart" role="img" aria-label={label} />;
}
