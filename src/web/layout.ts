/**
 * The frame of every screen: header with the system name and the signed-in user, the content, and
 * one stylesheet served by the hub itself (no CDN; the CSP allows only 'self').
 */
import type { Refusal } from '../domain/refusal.ts';
import { html, type Html, type HtmlValue } from './html.ts';

export interface PageUser {
  readonly userId: string;
  readonly name: string;
  readonly participantName: string;
}

/** One entry of the header's menu; `current` marks the section the page belongs to. */
export interface NavItem {
  readonly href: string;
  readonly label: string;
  readonly current?: boolean;
  /** Administration entries are shown apart, after the others. */
  readonly admin?: boolean;
}

export interface PageOptions {
  readonly title: string;
  readonly user?: PageUser;
  /** The CSRF token of the session, for the logout form in the header. */
  readonly csrfToken?: string;
  /** The menu under the header (signed-in pages; see screens/page-user.ts). */
  readonly nav?: readonly NavItem[];
}

function navigation(items: readonly NavItem[] | undefined): Html | null {
  if (!items || items.length === 0) return null;
  const link = (item: NavItem) => html`<li><a href="${item.href}"${item.current ? html` aria-current="page"` : null}>${item.label}</a></li>`;
  const admin = items.filter((i) => i.admin);
  return html`<nav class="site" aria-label="メニュー"><ul>${items.filter((i) => !i.admin).map(link)}</ul>
  ${admin.length > 0 ? html`<ul class="admin" aria-label="管理メニュー"><li class="label">管理</li>${admin.map(link)}</ul>` : null}</nav>`;
}

export function page(options: PageOptions, body: HtmlValue): Html {
  return html`<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} | スイッチング支援システム</title>
<link rel="stylesheet" href="/static/kirikae.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/">スイッチング支援システム</a>
  ${
    options.user
      ? html`<div class="who"><span>${options.user.participantName}</span> <span>${options.user.name}（${options.user.userId}）</span>
      <a href="/password">パスワード変更</a>
      <form method="post" action="/logout" class="inline"><input type="hidden" name="_csrf" value="${options.csrfToken ?? ''}"><button type="submit">ログアウト</button></form></div>`
      : null
  }
</header>
${navigation(options.nav)}
<main>
<h1>${options.title}</h1>
${body}
</main>
</body>
</html>`;
}

export function errorPage(refusal: Refusal): Html {
  return page({ title: 'エラー' }, html`<p class="refusal" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>`);
}

/** A refusal shown next to the field it is about, with the same code and text as the API. */
export function fieldError(refusal: Refusal | undefined, field: string): Html | null {
  if (!refusal || refusal.field !== field) return null;
  return html`<p class="field-error" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>`;
}

/** A refusal not tied to one field, at the top of a form. */
export function formError(refusal: Refusal | undefined): Html | null {
  if (!refusal || refusal.field) return null;
  return html`<p class="refusal" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>`;
}
