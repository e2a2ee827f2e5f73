/** How the reports write figures: durations in words ("2 小时 5 分" / "2 h 5 min"), ratios as %. */

export function formatDuration(seconds: number | null | undefined, lang: 'zh' | 'en'): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(Math.abs(seconds));
  const zh = lang === 'zh';
  if (s < 60) return zh ? `${s} 秒` : `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return zh ? `${minutes} 分` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const m = minutes % 60;
    if (zh) return m ? `${hours} 小时 ${m} 分` : `${hours} 小时`;
    return m ? `${hours} h ${m} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  if (zh) return h ? `${days} 天 ${h} 小时` : `${days} 天`;
  return h ? `${days} d ${h} h` : `${days} d`;
}

/** A ratio 0..1 as a percentage with one decimal ("92.5%"); `—` when there was nothing to measure. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(1)}%`;
}

/** A relative change with its sign ("+12.5%", "−3.0%"). */
export function formatSignedPercent(ratio: number): string {
  const sign = ratio > 0 ? '+' : ratio < 0 ? '−' : '±';
  return `${sign}${(Math.abs(ratio) * 100).toFixed(1)}%`;
}
