import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

export interface SignaturePadHandle {
  clear(): void;
  isEmpty(): boolean;
  /** The drawing as a PNG data URL. */
  toPng(): string;
}

/**
 * A signature drawn with a finger, pen or mouse: pointer events on a canvas (touch-action none so the
 * page does not scroll while signing), sized to the device's pixels.
 */
export const SignaturePad = forwardRef<
  SignaturePadHandle,
  { label: string; onChange?: (empty: boolean) => void }
>(function SignaturePad({ label, onChange }, ref) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const strokes = useRef(0);
  // Read through a ref: the canvas is set up once; a new callback must not reset (and clear) it.
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const c = canvas.current!;
    const ratio = window.devicePixelRatio || 1;
    const rect = c.getBoundingClientRect();
    c.width = Math.round(rect.width * ratio);
    c.height = Math.round(rect.height * ratio);
    const ctx = c.getContext('2d')!;
    ctx.scale(ratio, ratio);
    ctx.lineWidth = 2.5;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
    let drawing = false;
    const at = (e: PointerEvent) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top] as const;
    };
    const down = (e: PointerEvent) => {
      drawing = true;
      c.setPointerCapture(e.pointerId);
      const [x, y] = at(e);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 0.1, y + 0.1);
      ctx.stroke();
    };
    const move = (e: PointerEvent) => {
      if (!drawing) return;
      const [x, y] = at(e);
      ctx.lineTo(x, y);
      ctx.stroke();
    };
    const up = () => {
      if (!drawing) return;
      drawing = false;
      strokes.current++;
      changed.current?.(false);
    };
    c.addEventListener('pointerdown', down);
    c.addEventListener('pointermove', move);
    c.addEventListener('pointerup', up);
    c.addEventListener('pointercancel', up);
    return () => {
      c.removeEventListener('pointerdown', down);
      c.removeEventListener('pointermove', move);
      c.removeEventListener('pointerup', up);
      c.removeEventListener('pointercancel', up);
    };
  }, []);

  useImperativeHandle(ref, () => ({
    clear() {
      const c = canvas.current!;
      c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
      strokes.current = 0;
      changed.current?.(true);
    },
    isEmpty: () => strokes.current === 0,
    toPng: () => canvas.current!.toDataURL('image/png'),
  }));

  return <canvas ref={canvas} className="fld-sign" aria-label={label} role="img" data-testid="signature" />;
});
