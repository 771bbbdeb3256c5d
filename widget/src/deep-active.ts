/** The focused element of a document, followed down through open shadow roots (the chat's parts nest them). */
export function deepActive(doc: Document = document): HTMLElement | undefined {
  let el: Element | null = doc.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : undefined;
}
