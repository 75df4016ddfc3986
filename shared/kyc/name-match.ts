import { type NameWord, singular } from './tokens.ts';

/**
 * How alike two business names are, and which words make them alike. A business reapplying changes
 * its name as little as it can: a plural ("Partner" for "Partners"), a word split or joined ("North
 * Star" for "Northstar"), a legal form dropped or swapped. nameWords reads case, punctuation, accents,
 * legal forms and plurals out of each word; here a run of adjacent words that the other name writes
 * as one word counts as that word. Nothing looser (prefixes, spelling distance): "Star Pharmacy" is
 * another business than "Northstar Pharmacy", and an analyst must see why two names matched.
 */
export interface NameComparison {
  /** words in common over the words of either name (Jaccard), 0 when either has none */
  similarity: number;
  /** the words in common as the first and second name write them: `pharmacy`, `north star = northstar` */
  common: string[];
}

/** The name's words, a run of adjacent ones the other name writes as one word joined into it. */
function joinRuns(words: readonly NameWord[], otherKeys: ReadonlySet<string>): NameWord[] {
  const out: NameWord[] = [];
  let i = 0;
  while (i < words.length) {
    let joined = words[i];
    let end = i;
    let keys = words[i].key;
    let text = words[i].text;
    for (let j = i + 1; j < words.length; j++) {
      keys += words[j].key;
      text += words[j].text;
      // "partners hub" joined is "partnershub", whose singular is not "partner" + "hub"
      const key = otherKeys.has(keys) ? keys : singular(text);
      if (otherKeys.has(key)) {
        joined = {
          text: words
            .slice(i, j + 1)
            .map((w) => w.text)
            .join(' '),
          key,
        };
        end = j;
      }
    }
    out.push(joined);
    i = end + 1;
  }
  return out;
}

/** Each comparable form once, with the first way the name writes it. */
function byKey(words: readonly NameWord[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of words) if (!out.has(w.key)) out.set(w.key, w.text);
  return out;
}

export function compareNames(a: readonly NameWord[], b: readonly NameWord[]): NameComparison {
  const keysA = new Set(a.map((w) => w.key));
  const keysB = new Set(b.map((w) => w.key));
  const wordsA = byKey(joinRuns(a, keysB));
  const wordsB = byKey(joinRuns(b, keysA));
  const common: string[] = [];
  for (const [key, textA] of wordsA) {
    const textB = wordsB.get(key);
    if (textB === undefined) continue;
    common.push(textA === textB ? textA : `${textA} = ${textB}`);
  }
  if (common.length === 0) return { similarity: 0, common };
  return { similarity: common.length / (wordsA.size + wordsB.size - common.length), common };
}

export interface ClosestNames extends NameComparison {
  /** which of the first names and which of the second */
  first: number;
  second: number;
}

/**
 * The most alike pair of names of two businesses (a legal name and a DBA each identify one), or null
 * when either has no name with a word in it. Each pair is compared alone: a second name neither
 * dilutes the first nor lends it words.
 */
export function closestNames(
  first: readonly (readonly NameWord[])[],
  second: readonly (readonly NameWord[])[],
): ClosestNames | null {
  let best: ClosestNames | null = null;
  for (const [i, a] of first.entries()) {
    for (const [j, b] of second.entries()) {
      const c = compareNames(a, b);
      if (a.length > 0 && b.length > 0 && (!best || c.similarity > best.similarity)) {
        best = { ...c, first: i, second: j };
      }
    }
  }
  return best;
}
