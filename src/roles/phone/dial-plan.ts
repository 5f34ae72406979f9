/**
 * The phone's dial plan, after the Cisco 7940/7960 SIP `dialplan.xml` (also read by Snom phones):
 *
 *   <DIALTEMPLATE>
 *     <TEMPLATE MATCH="911" Timeout="0" User="Phone" Route="emergency"/>
 *     <TEMPLATE MATCH="9.T" Timeout="0" Route="emergency"/>
 *     <TEMPLATE MATCH="1408......." Timeout="0" User="Phone" Rewrite="9%s"/>
 *     <TEMPLATE MATCH="*" Timeout="5"/>
 *   </DIALTEMPLATE>
 *
 * Pattern characters, as the Cisco administration guide defines them: a period matches any one
 * character, an asterisk one or more characters (`\*` is a literal star), a comma only marks where
 * the phone plays secondary dial tone and matches nothing. Two extensions people bring from other
 * phones: `x` matches one digit 0-9, and a `T` ends the pattern with "complete when the user stops
 * dialling" (for a number dialled en bloc: any remaining characters, possibly none).
 *
 * "Rules are matched from start to finish with the longest matching rule taken as the one to use.
 * Matches against a period are not counted for the length": the score of a match is the number of
 * literal characters it matched; ties go to the first template.
 *
 * Rewrite: `%s` (and `%0`) is the dialled string, `%1`..`%5` the runs of characters matched by
 * consecutive wildcards, and each `.` takes the next wildcard-matched character in turn
 * ("XYZ...." with 1234 dialled after XYZ gives XYZ1234).
 *
 * Route: "default" (the configured proxies, primary then backups) or "emergency" (the emergency
 * proxy, the seed's "Dial template for emergency route is matched").
 */
import { ConfigError } from '../../util/errors.js';

export type DialRoute = 'default' | 'emergency';

export interface DialTemplate {
  readonly match: string;
  /** Seconds of inter-digit timeout before the number is dialled (0 = at once). */
  readonly timeout: number;
  readonly route: DialRoute;
  /** Adds ;user=phone (or ;user=ip) to the Request-URI. */
  readonly user?: 'phone' | 'ip' | undefined;
  readonly rewrite?: string | undefined;
}

export interface DialPlanMatch {
  readonly template: DialTemplate;
  /** What to dial: the rewrite, or the digits as dialled. */
  readonly number: string;
  readonly route: DialRoute;
  readonly user: 'phone' | 'ip' | undefined;
}

type Token =
  | { kind: 'literal'; char: string }
  | { kind: 'any' }
  | { kind: 'digit' }
  | { kind: 'many' }
  | { kind: 'rest' };

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      out.push({ kind: 'literal', char: pattern[++i] as string });
    } else if (c === '.') out.push({ kind: 'any' });
    else if (c === 'x' || c === 'X') out.push({ kind: 'digit' });
    else if (c === '*') out.push({ kind: 'many' });
    else if ((c === 'T' || c === 't') && i === pattern.length - 1) out.push({ kind: 'rest' });
    else if (c === ',') continue;
    else out.push({ kind: 'literal', char: c });
  }
  return out;
}

interface Matched {
  /** Literal characters matched (the score). */
  readonly literals: number;
  /** For each wildcard group, the characters it matched. */
  readonly groups: string[];
}

/** Matches the whole of `input` against the tokens; backtracks over `*` and `T`. */
function matchTokens(tokens: readonly Token[], input: string): Matched | undefined {
  const groups: string[] = [];
  const walk = (ti: number, ii: number, literals: number, inGroup: boolean): Matched | undefined => {
    if (ti === tokens.length) return ii === input.length ? { literals, groups: [...groups] } : undefined;
    const t = tokens[ti] as Token;
    const extend = (text: string): void => {
      if (inGroup) groups[groups.length - 1] += text;
      else groups.push(text);
    };
    const undo = (text: string): void => {
      if (inGroup) {
        const last = groups[groups.length - 1] as string;
        groups[groups.length - 1] = last.slice(0, last.length - text.length);
      } else groups.pop();
    };
    switch (t.kind) {
      case 'literal': {
        if (input[ii] !== t.char) return undefined;
        return walk(ti + 1, ii + 1, literals + 1, false);
      }
      case 'any':
      case 'digit': {
        const c = input[ii];
        if (c === undefined || (t.kind === 'digit' && !/[0-9]/.test(c))) return undefined;
        extend(c);
        const r = walk(ti + 1, ii + 1, literals, true);
        if (!r) undo(c);
        return r;
      }
      case 'many':
      case 'rest': {
        const min = t.kind === 'many' ? 1 : 0;
        // Longest first, as a wildcard in a dial plan swallows what follows.
        for (let n = input.length - ii; n >= min; n--) {
          const text = input.slice(ii, ii + n);
          if (n > 0) extend(text);
          const r = walk(ti + 1, ii + n, literals, n > 0 || inGroup);
          if (r) return r;
          if (n > 0) undo(text);
        }
        return undefined;
      }
    }
  };
  return walk(0, 0, 0, false);
}

function applyRewrite(rewrite: string, dialled: string, groups: readonly string[]): string {
  const wildcardChars = [...groups.join('')];
  let next = 0;
  let out = '';
  for (let i = 0; i < rewrite.length; i++) {
    const c = rewrite[i] as string;
    if (c === '%' && i + 1 < rewrite.length) {
      const d = rewrite[i + 1] as string;
      if (d === 's' || d === '0') {
        out += dialled;
        i++;
        continue;
      }
      if (/[1-5]/.test(d)) {
        out += groups[Number(d) - 1] ?? '';
        i++;
        continue;
      }
    }
    if (c === '.') {
      out += wildcardChars[next++] ?? '';
      continue;
    }
    out += c;
  }
  return out;
}

export class DialPlan {
  private readonly compiled: { template: DialTemplate; tokens: Token[] }[];

  constructor(readonly templates: readonly DialTemplate[]) {
    this.compiled = templates.map((template) => ({ template, tokens: tokenize(template.match) }));
  }

  get empty(): boolean {
    return this.templates.length === 0;
  }

  /** The best template for a number dialled en bloc, or undefined when none matches. */
  match(dialled: string): DialPlanMatch | undefined {
    let best: { template: DialTemplate; m: Matched } | undefined;
    for (const { template, tokens } of this.compiled) {
      const m = matchTokens(tokens, dialled);
      if (m && (!best || m.literals > best.m.literals)) best = { template, m };
    }
    if (!best) return undefined;
    const { template, m } = best;
    const number = template.rewrite !== undefined ? applyRewrite(template.rewrite, dialled, m.groups) : dialled;
    return { template, number, route: template.route, user: template.user };
  }

  /** Reads the XML form (`<DIALTEMPLATE><TEMPLATE MATCH=".." .../></DIALTEMPLATE>`, Snom's `<dialplan>` too). */
  static fromXml(xml: string, field = 'dialPlan'): DialPlan {
    const text = xml.replace(/<!--[\s\S]*?-->/g, '');
    const templates: DialTemplate[] = [];
    const element = /<TEMPLATE\b([^>]*?)\/?>/gi;
    let m: RegExpExecArray | null = element.exec(text);
    let index = 0;
    while (m !== null) {
      const attrs = new Map<string, string>();
      const attr = /([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|\u201d([^\u201d]*)\u201d)/g;
      let a: RegExpExecArray | null = attr.exec(m[1] ?? '');
      while (a !== null) {
        attrs.set((a[1] as string).toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
        a = attr.exec(m[1] ?? '');
      }
      templates.push(templateFrom(attrs, `${field}[${index}]`));
      index++;
      m = element.exec(text);
    }
    if (templates.length === 0) throw new ConfigError(field, 'no <TEMPLATE MATCH="..."/> element in the dial plan');
    return new DialPlan(templates);
  }
}

function templateFrom(attrs: ReadonlyMap<string, string>, field: string): DialTemplate {
  const match = attrs.get('match');
  if (!match) throw new ConfigError(`${field}.MATCH`, 'missing');
  const timeoutText = attrs.get('timeout') ?? '0';
  const timeout = Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout < 0)
    throw new ConfigError(`${field}.Timeout`, `not a number of seconds: ${timeoutText}`);
  const routeText = (attrs.get('route') ?? 'default').toLowerCase();
  if (routeText !== 'default' && routeText !== 'emergency')
    throw new ConfigError(`${field}.Route`, `"${routeText}" is not default or emergency`);
  const userText = attrs.get('user')?.toLowerCase();
  if (userText !== undefined && userText !== 'phone' && userText !== 'ip')
    throw new ConfigError(`${field}.User`, `"${userText}" is not Phone or IP`);
  return { match, timeout, route: routeText, user: userText, rewrite: attrs.get('rewrite') };
}
