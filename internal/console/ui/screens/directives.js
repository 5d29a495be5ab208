// Directive letters (công văn chỉ đạo): the pending and overdue ones, recording a reply; and the
// form that issues one after a visit.
import {h, field, select, mount} from '../lib/h.js';
import {get, post, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {onSubmit, problemBox, values} from '../lib/forms.js';
import {formatDate} from './today.js';

export function directiveForm({caseID, sessionID, today}) {
  const status = h('p', {class: 'status', role: 'status'});
  const form = h('form', {class: 'card', novalidate: true, id: 'directive-form', 'aria-labelledby': 'dir-h'},
    h('h2', {id: 'dir-h'}, t('issue_directive')),
    problemBox(),
    h('div', {class: 'grid'},
      field(t('f_number'), h('input', {name: 'number', autocomplete: 'off'})),
      field(t('f_issued_on'), h('input', {name: 'issued_on', type: 'date', value: today})),
      field(t('f_recipient'), h('input', {name: 'recipient', autocomplete: 'off'})),
      field(t('f_due_on'), h('input', {name: 'due_on', type: 'date'}))),
    field(t('f_request'), h('textarea', {name: 'request'})),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('save_directive'))),
    status);
  onSubmit(form, async () => {
    const d = await post('/directives', {...values(form), case_id: caseID, session_id: sessionID});
    mount(status, t('directive_saved', {number: d.number}));
  });
  return form;
}

export async function render(ctx) {
  const statusSel = select({id: 'dir-status'}, [['', t('pending_or_overdue')], ...terms('directive.status')]);
  const listBox = h('div', {});
  const done = h('p', {class: 'status', role: 'status', id: 'directive-status'});
  const show = async (message) => {
    done.textContent = typeof message === 'string' ? message : '';
    const wanted = statusSel.value ? [statusSel.value] : ['overdue', 'pending'];
    const items = [];
    for (const s of wanted) items.push(...(await get('/directives' + query({status: s, limit: 200}))).items);
    mount(listBox, items.length === 0 ? h('p', {class: 'muted'}, t('none')) :
      h('ul', {class: 'list', id: 'directive-list'}, items.map((d) => letter(ctx, d, show))));
  };
  statusSel.addEventListener('change', () => show());
  await show();
  return h('div', {},
    h('h1', {}, t('nav_directives')),
    h('div', {class: 'card'}, field(t('f_status'), statusSel)),
    done, listBox);
}

function letter(ctx, d, refresh) {
  const reply = h('form', {class: 'reply', novalidate: true, 'aria-label': t('record_reply') + ' ' + d.number},
    problemBox(),
    h('div', {class: 'grid'},
      field(t('f_replied_on'), h('input', {name: 'replied_on', type: 'date', value: ctx.me.today})),
      field(t('f_reply_summary'), h('input', {name: 'summary', autocomplete: 'off'}))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('record_reply'))));
  onSubmit(reply, async () => {
    await post('/directives/' + encodeURIComponent(d.id) + '/reply', values(reply));
    await refresh(t('reply_recorded', {number: d.number}));
  });
  return h('li', {'data-number': d.number},
    h('h2', {}, d.number + ' — ' + d.recipient),
    h('p', {}, label('directive.status', d.status), ' · ', t('issued_due', {issued: formatDate(d.issued_on), due: formatDate(d.due_on) || '—'})),
    d.request ? h('p', {}, d.request) : null,
    d.status === 'replied' ? h('p', {}, t('replied_on', {date: formatDate(d.replied_on)}), ': ', d.reply_summary || '') : reply);
}
