/**
 * ECharts, imported piece by piece (only the charts and components the reports draw), behind a small
 * component: initialised on mount, `setOption` on change, resized with its box, disposed on unmount.
 * The chart is a picture to assistive technology (`role="img"` with a label); each panel also gives its
 * figures as text or a table beside it.
 */
import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** The console's font stack, so Chinese labels on the canvas match the page's text. */
const fontFamily =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif";

export function EChart({
  option,
  label,
  height = 280,
  testId,
}: {
  option: ChartOption;
  /** What the chart shows, in words (its accessible name). */
  label: string;
  height?: number;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = init(element, undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(
      { textStyle: { fontFamily }, animationDuration: 300, ...option },
      { notMerge: true },
    );
  }, [option]);

  return (
    <div ref={box} role="img" aria-label={label} data-chart={testId} style={{ width: '100%', height }} />
  );
}
