import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html } from './html.ts';

test('escapes every interpolated string, including attribute quotes', () => {
  const name = `"><script>alert('x')</script>`;
  assert.equal(html`<input value="${name}">`.value, '<input value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;">');
});

test('nests templates without escaping them twice and joins arrays', () => {
  const items = ['a&b', 'c'].map((t) => html`<li>${t}</li>`);
  assert.equal(html`<ul>${items}</ul>`.value, '<ul><li>a&amp;b</li><li>c</li></ul>');
});

test('renders null, undefined and false as nothing but keeps zero', () => {
  assert.equal(html`${null}${undefined}${false}${0}`.value, '0');
});
