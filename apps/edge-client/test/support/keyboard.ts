// Keyboard-only driving of the kiosk: which control has focus (through the
// element's shadow root), whether that focus is visible, and Tab until a
// control is reached.
import type { Page } from 'playwright-core';

export interface FocusedControl {
  /** data-action, data-mode, or the first class / tag: how the tests name a control. */
  name: string;
  text: string;
  /** :focus-visible matched, a real outline is painted, and no scrolling or clipping ancestor cuts into it. */
  visibleFocus: boolean;
}

/** The control that has focus, looking inside shadow roots; null when focus is on the body. */
export function focusedControl(page: Page): Promise<FocusedControl | null> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element || element === document.body || !(element instanceof HTMLElement)) return null;
    const style = getComputedStyle(element);
    const rect = element.getBoundingClientRect();
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    // The ring reaches outline-offset + outline-width beyond the box; an overflow container that ends sooner hides part of it.
    const reach = Math.max(0, parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth));
    let clipped = false;
    for (let node: Node | null = element.parentNode; node; node = node instanceof ShadowRoot ? node.host : node.parentNode) {
      if (!(node instanceof HTMLElement) || node === document.body || node === document.documentElement) continue;
      const { overflowX, overflowY } = getComputedStyle(node);
      if (overflowX === 'visible' && overflowY === 'visible') continue;
      const clip = node.getBoundingClientRect();
      const tolerance = 0.5;
      if (rect.left - reach < clip.left - tolerance || rect.top - reach < clip.top - tolerance || rect.right + reach > clip.right + tolerance || rect.bottom + reach > clip.bottom + tolerance) {
        clipped = true;
      }
    }
    const name = element.dataset.action ?? (element.dataset.mode ? `mode:${element.dataset.mode}` : (element.classList[0] ?? element.tagName.toLowerCase()));
    return {
      name,
      text: (element.textContent ?? '').trim().slice(0, 40),
      visibleFocus: element.matches(':focus-visible') && outlined && !clipped && rect.width > 0 && rect.height > 0,
    };
  });
}

/** Presses Tab until focus comes back to where it started (or `max` presses), returning every stop. */
export async function tabStops(page: Page, max = 40): Promise<FocusedControl[]> {
  const stops: FocusedControl[] = [];
  for (let press = 0; press < max; press += 1) {
    await page.keyboard.press('Tab');
    const control = await focusedControl(page);
    if (!control) continue;
    if (stops.length > 0 && control.name === stops[0]!.name && control.text === stops[0]!.text) break;
    stops.push(control);
  }
  return stops;
}

/** Presses Tab until the focused control is `name`; throws with the stops seen otherwise. */
export async function tabTo(page: Page, name: string, max = 40): Promise<FocusedControl> {
  const seen: string[] = [];
  for (let press = 0; press < max; press += 1) {
    await page.keyboard.press('Tab');
    const control = await focusedControl(page);
    if (control?.name === name) return control;
    seen.push(control?.name ?? '(body)');
  }
  throw new Error(`Tab never reached "${name}"; stops: ${seen.join(', ')}`);
}
