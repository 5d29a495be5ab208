// The audit log (auditors and admins): who did what to which record, newest first, filtered by
// the kind of record, a record's id, the caller and the days.
import {h, field, mount} from '../lib/h.js';
import {get, query} from '../lib/api.js';
import {t} from '../lib/i18n.js';
import {values, showProblem, problemBox} from '../lib/forms.js';

export async function render() {
  const out = h('div', {'aria-live': 'polite'});
  const form = h('form', {class: 'card', role: 'search', novalidate: true},
    problemBox(),
    h('div', {class: 'grid'},
      field(t('a_entity'), h('input', {name: 'entity', autocomplete: 'off'}), t('a_entity_hint')),
      field(t('a_entity_id'), h('input', {name: 'entity_id', autocomplete: 'off'})),
      field(t('a_actor'), h('input', {name: 'actor', autocomplete: 'off'})),
      field(t('a_from'), h('input', {name: 'from', type: 'date'})),
      field(t('a_to'), h('input', {name: 'to', type: 'date'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('show'))));
  let cursor = null;
  const more = h('button', {type: 'button', hidden: true}, t('more'));
  const tbody = h('tbody', {});
  const show = async (next) => {
    try {
      const list = await get('/audit' + query({...values(form), limit: 100, cursor: next ? cursor : ''}));
      if (!next) mount(tbody);
      tbody.append(...list.items.map((e) => h('tr', {},
        h('td', {}, new Date(e.at).toLocaleString(document.documentElement.lang === 'en' ? 'en-GB' : 'vi-VN')),
        h('td', {}, e.actor, h('span', {class: 'muted'}, ' (' + e.actor_role + ')')),
        h('td', {}, e.action), h('td', {}, e.entity), h('td', {}, h('code', {}, e.entity_id)),
        h('td', {}, e.changes ? h('code', {class: 'changes'}, JSON.stringify(e.changes)) : ''))));
      cursor = list.next_cursor;
      more.hidden = !cursor;
    } catch (err) { showProblem(form, err); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); show(false); });
  more.addEventListener('click', () => show(true));
  await show(false);
  mount(out, h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('nav_audit')},
    h('table', {id: 'audit'}, h('thead', {}, h('tr', {}, ['a_at', 'a_actor', 'a_action', 'a_entity', 'a_entity_id', 'a_changes'].map((w) => h('th', {scope: 'col'}, t(w))))), tbody)),
  h('div', {class: 'actions'}, more));
  return h('div', {}, h('h1', {}, t('nav_audit')), form, out);
}
