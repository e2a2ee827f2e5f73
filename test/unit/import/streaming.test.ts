import v8 from 'node:v8';
import vm from 'node:vm';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { openImport } from '../../../shared/domain/import/check-import.ts';

v8.setFlagsFromString('--expose-gc');
/** The live heap after a full collection (garbage left by earlier rows is not memory held). */
const liveHeap = () => {
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
};

const rowCount = 100_000;
const rowsPerChunk = 500;

/** A 100,000-row GB18030 file made on the fly, chunk by chunk; `pulled` counts the chunks read per pass. */
function bigFile() {
  const state = { pulled: 0, bytes: 0 };
  const source = async function* () {
    state.pulled = 0;
    yield iconv.encode('工单号,标题,优先级,客户邮箱,客户电话,创建时间,描述\r\n', 'gb18030');
    for (let start = 0; start < rowCount; start += rowsPerChunk) {
      let text = '';
      for (let i = start; i < start + rowsPerChunk; i++) {
        text += `OLD-${i},网络故障第${i}次,${i % 7 === 0 ? '紧急' : 'high'},user${i}@example.com,1380013${String(i % 10_000).padStart(4, '0')},2026/1/${(i % 28) + 1} 9:05,客户反馈无法访问内网系统，已重启路由器仍无效\r\n`;
      }
      const chunk = iconv.encode(text, 'gb18030');
      state.pulled += 1;
      state.bytes += chunk.byteLength;
      yield chunk;
    }
  };
  return { source, state };
}

describe('openImport() on 100,000 rows', () => {
  it('checks every row while holding only a few chunks of the file at a time', async () => {
    // Prepare
    const { source, state } = bigFile();
    const opened = await openImport(source, { applySuggestions: true });
    const fileBytes = state.bytes;
    let rows = 0;
    let withValues = 0;
    let applied = 0;
    let pulledAtFirstRow = -1;
    const heapBefore = liveHeap();
    let heapPeak = heapBefore;
    // Act
    for await (const row of opened.rows) {
      if (rows === 0) pulledAtFirstRow = state.pulled;
      rows += 1;
      if (row.values) withValues += 1;
      applied += row.issues.filter((i) => i.applied).length;
      if (rows % 10_000 === 0) heapPeak = Math.max(heapPeak, liveHeap());
    }
    // Assess: all rows checked, the first one before more than a couple of chunks were read
    expect(opened.encoding).toBe('GB18030');
    expect(rows).toBe(rowCount);
    expect(withValues).toBe(rowCount);
    expect(applied).toBe(Math.ceil(rowCount / 7));
    expect(pulledAtFirstRow).toBeLessThanOrEqual(3);
    expect(state.pulled).toBe(rowCount / rowsPerChunk);
    // The heap grows by the externalIds kept for duplicates, not by the file (a whole-file read holds
    // the text, its decoded copy and 100,000 row objects: several times the file's size).
    console.info(
      `import pre-check, 100,000 rows: file ${(fileBytes / 2 ** 20).toFixed(1)} MiB, heap growth ${((heapPeak - heapBefore) / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(heapPeak - heapBefore).toBeLessThan(fileBytes);
  }, 120_000);
});
