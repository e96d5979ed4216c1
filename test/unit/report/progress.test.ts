import { describe, expect, test, vi } from 'vitest';
import { ProgressLine, displayWidth, fitWidth, layoutBar } from '../../../src/report/progress.js';

const state = {
  done: 12,
  total: 40,
  failed: 0,
  running: ['lint src/a.py', 'test tests/test_b.py', 'lint src/c.py'],
  elapsedMs: 3210,
};

describe('the progress bar layout', () => {
  test('bar, counts, elapsed time and the jobs in flight on a wide terminal', () => {
    expect(layoutBar(state, 120)).toBe(
      '[######..............] 12/40  3.2s  3 running: lint src/a.py, test tests/test_b.py, lint src/c.py',
    );
  });

  test('failures so far are counted on the bar', () => {
    expect(layoutBar({ ...state, failed: 2, running: [] }, 120)).toBe('[######..............] 12/40  2 failed  3.2s');
  });

  test('cut to the width with "..." and never longer, at every width', () => {
    for (let width = 1; width <= 130; width++) {
      const line = layoutBar(state, width);
      expect(displayWidth(line), `width ${width}: ${line}`).toBeLessThanOrEqual(width);
    }
    expect(layoutBar(state, 59)).toBe('[###.......] 12/40  3.2s  3 running: lint src/a.py, test...');
    expect(layoutBar(state, 25)).toBe('12/40  3.2s  3 running...');
  });

  test('a full and an empty plan', () => {
    expect(layoutBar({ ...state, done: 40, running: [] }, 80)).toBe('[####################] 40/40  3.2s');
    expect(layoutBar({ ...state, done: 0, total: 0, running: [] }, 80)).toBe('[####################] 0/0  3.2s');
  });

  test('wide characters count two cells, and a cut never splits one past the width', () => {
    expect(displayWidth('漢字abc')).toBe(7);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(fitWidth('漢字漢字漢字', 8)).toBe('漢字...');
    expect(fitWidth('ab漢字漢字', 8)).toBe('ab漢...');
    const line = layoutBar({ ...state, running: ['test テスト/試験/ファイル.py'] }, 45);
    expect(displayWidth(line)).toBeLessThanOrEqual(45);
  });

  test('control characters in a file name cannot break the line', () => {
    const line = layoutBar({ ...state, running: ['lint a\nb\x1b[2Jc.py'] }, 120);
    expect(line).toContain('lint a?b?[2Jc.py');
    expect(line).not.toMatch(/[\x00-\x1f]/);
  });
});

class Screen {
  text = '';
  columns = 50;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

describe('the progress line on a stream', () => {
  test('redraws in place with the cursor hidden, and gives the cursor back on stop', () => {
    const screen = new Screen();
    let now = 0;
    const bar = new ProgressLine(screen, () => now);
    bar.start(2);
    bar.started('lint a.py');
    now += 150;
    bar.finished('lint a.py', true);
    bar.stop();
    expect(screen.text.startsWith('\x1b[?25l\r\x1b[2K')).toBe(true);
    expect(screen.text.match(/\x1b\[\?25l/g)).toHaveLength(1);
    expect(screen.text).toContain('\r\x1b[2K[#####.....] 1/2  1 failed  0.1s');
    expect(screen.text.endsWith('\r\x1b[2K\x1b[?25h')).toBe(true);
    bar.stop();
    expect(screen.text.endsWith('\r\x1b[2K\x1b[?25h')).toBe(true);
    expect(screen.text.match(/\x1b\[\?25h/g)).toHaveLength(1);
  });

  test('changes within 100 ms are drawn once, when due, not each', () => {
    vi.useFakeTimers();
    try {
      const screen = new Screen();
      let now = 0;
      const bar = new ProgressLine(screen, () => now);
      bar.start(50);
      const before = screen.text;
      for (let i = 0; i < 20; i++) bar.started(`lint f${i}.py`);
      expect(screen.text).toBe(before);
      now = 100;
      vi.advanceTimersByTime(100);
      expect(screen.text.slice(before.length)).toBe('\r\x1b[2K[..........] 0/50  0.0s  20 running: lint f0.p...');
      bar.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
