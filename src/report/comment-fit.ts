/** The comment's fit under GitHub's 65,536-character limit: fewer details first, a cut as the last resort. */
import { commentMarker, headTag } from './comment-escape.js';
import { LEVELS, type Level, type PageOptions } from './comment-options.js';

/** GitHub rejects an issue comment body over 65,536 characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Renders at each level of detail until the body fits; as a last resort, cuts it and keeps the marker. */
export function fitToLimit(renderAt: (lv: Level, trimmed: boolean) => string, opts: PageOptions): string {
  const max = opts.maxLength ?? GITHUB_COMMENT_LIMIT;
  let body = '';
  for (let i = 0; i < LEVELS.length; i++) {
    body = renderAt(LEVELS[i]!, i > 0);
    if (body.length <= max) return body;
  }
  const tail =
    '\n\n> Cut to stay under the comment limit; the job summary and the JSON report have everything.\n' +
    (opts.commentKey !== undefined ? `\n${commentMarker(opts.commentKey)}\n` : '') +
    (opts.checked?.sha ? `${headTag(opts.checked.sha)}\n` : '');
  // Cut on a line boundary so that no entity or tag is split.
  const room = Math.max(0, max - tail.length);
  const cut = body.lastIndexOf('\n', room);
  return body.slice(0, cut > 0 ? cut : room) + tail;
}
