// Today: the day's reception sessions; opening one records its visits (visit.js).
import {h, field, select} from '../lib/h.js';
import {get, post, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {onSubmit, problemBox, values} from '../lib/forms.js';
import {visitScreen} from './visit.js';

export async function render(ctx) {
  if (ctx.params[0]) return visitScreen(ctx, ctx.params[0]);
  const today = ctx.me.today;
  const list = await get('/sessions' + query({from: today, to: today, limit: 100}));
  return h('div', {},
    h('h1', {}, t('today_title', {date: formatDate(today)})),
    h('section', {class: 'card', 'aria-labelledby': 'sessions-h'},
      h('h2', {id: 'sessions-h'}, t('sessions_today')),
      list.items.length === 0 ? h('p', {class: 'muted'}, t('no_sessions_today')) :
        h('ul', {class: 'list'}, list.items.map((s) => h('li', {},
          h('a', {href: '#/today/' + encodeURIComponent(s.id), class: 'session-link'}, sessionName(s)),
          s.location ? h('span', {class: 'muted'}, ' · ' + s.location) : null)))),
    newSessionForm(ctx, today));
}

export function sessionName(s) {
  return label('session.kind', s.kind) + (s.host_name ? ' — ' + s.host_name : '') + ' (' + formatDate(s.date) + ')';
}

export function formatDate(d) {
  if (!d) return '';
  const [y, m, day] = d.split('-');
  return `${day}/${m}/${y}`;
}

function newSessionForm(ctx, today) {
  const kind = select({name: 'kind'}, terms('session.kind'));
  const hostRole = select({name: 'host_role'}, [['', '—'], ...terms('session.host_role')]);
  const form = h('form', {class: 'card', novalidate: true, 'aria-labelledby': 'new-session-h'},
    h('h2', {id: 'new-session-h'}, t('new_session')),
    problemBox(),
    h('div', {class: 'grid'},
      field(t('f_kind'), kind),
      field(t('f_date'), h('input', {name: 'date', type: 'date', value: today, required: true})),
      field(t('f_host_name'), h('input', {name: 'host_name', autocomplete: 'off'})),
      field(t('f_host_title'), h('input', {name: 'host_title', autocomplete: 'off'})),
      field(t('f_host_role'), hostRole, t('host_role_hint')),
      field(t('f_location'), h('input', {name: 'location', autocomplete: 'off'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('open_session'))));
  onSubmit(form, async () => {
    const s = await post('/sessions', values(form));
    ctx.go('today/' + encodeURIComponent(s.id));
  });
  return form;
}
