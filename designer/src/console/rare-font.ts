// Hanzi from data (a supplier in 深圳) that the app's webfont lacks: the page asks the hub
// for a small font of just those (GET /api/console/font.woff2) and adds it as one more face
// of the family "Sealflow Rare", limited to its unicode-range, so a machine without a
// Chinese system font shows no boxes. Each character is asked for once per page.
export const RARE_FONT_FAMILY = 'Sealflow Rare';
/** As many characters as the hub takes in one request. */
const BATCH = 400;

const asked = new Set<string>();
let observer: MutationObserver | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

async function fetchFace(characters: string) {
  const response = await fetch(`/api/console/font.woff2?text=${encodeURIComponent(characters)}`, { credentials: 'same-origin' });
  if (response.status !== 200) return; // 204: the webfont holds them all
  const unicodeRange = response.headers.get('sealflow-unicode-range') ?? undefined;
  const face = new FontFace(RARE_FONT_FAMILY, await response.arrayBuffer(), unicodeRange ? { unicodeRange } : {});
  document.fonts.add(await face.load());
}

function check() {
  const shown = document.body.innerText.match(/\p{Script=Han}/gu) ?? [];
  const fresh = [...new Set(shown)].filter((c) => !asked.has(c));
  for (const c of fresh) asked.add(c);
  for (let i = 0; i < fresh.length; i += BATCH) void fetchFace(fresh.slice(i, i + BATCH).join('')).catch(() => undefined);
}

/** Watches the page while signed in (the hub cuts fonts for signed-in callers only). */
export function watchRareCharacters() {
  if (observer || typeof FontFace === 'undefined') return;
  observer = new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(check, 300);
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  timer = setTimeout(check, 300);
}

export function stopWatchingRareCharacters() {
  observer?.disconnect();
  observer = null;
  clearTimeout(timer);
}
