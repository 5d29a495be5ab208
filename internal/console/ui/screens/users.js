// Administration of staff accounts (admins): the users of one's subtree, making one (its one-time
// password shown once, to hand over), resetting a password, disabling and enabling.
import {h, field, select, mount} from '../lib/h.js';
import {get, post, request, query} from '../lib/api.js';
import {t, label, terms} from '../lib/i18n.js';
import {onSubmit, problemBox, values} from '../lib/forms.js';

export async function render(ctx) {
  const orgs = (await get('/orgs' + query({limit: 500}))).items;
  const status = h('div', {role: 'status', id: 'users-status', 'aria-live': 'polite'});
  const listBox = h('div', {});
  const orgName = (id) => (orgs.find((o) => o.id === id) || {}).name || '—';
  const oneTime = (username, password) => mount(status, h('div', {class: 'notice'},
    t('one_time_for', {username}), ' ', h('code', {class: 'password', id: 'one-time-password'}, password)));
  const row = (u) => {
    const reset = h('button', {type: 'button', class: 'reset'}, t('reset_password'));
    reset.addEventListener('click', async () => {
      const r = await post('/users/' + encodeURIComponent(u.id) + '/reset-password');
      oneTime(u.username, r.initial_password);
      await show();
    });
    const toggle = h('button', {type: 'button', class: 'toggle'}, u.active ? t('disable') : t('enable'));
    toggle.addEventListener('click', async () => {
      // PATCH needs the record's version: read it, then change it
      const {headers} = await request('GET', '/users/' + encodeURIComponent(u.id), undefined, {withHeaders: true});
      await request('PATCH', '/users/' + encodeURIComponent(u.id), {active: !u.active}, {headers: {'If-Match': headers.get('ETag')}});
      mount(status, t(u.active ? 'user_disabled' : 'user_enabled', {username: u.username}));
      await show();
    });
    return h('tr', {'data-username': u.username},
      h('td', {}, u.username), h('td', {}, u.display_name), h('td', {}, label('token.role', u.role)), h('td', {}, orgName(u.org_id)),
      h('td', {}, u.active ? t('yes') : t('no')), h('td', {}, u.last_login_at ? new Date(u.last_login_at).toLocaleString('vi-VN') : '—'),
      h('td', {}, h('div', {class: 'actions'}, reset, toggle)));
  };
  const show = async () => {
    const list = await get('/users' + query({limit: 500}));
    const head = ['username', 'f_display_name', 'f_role', 'organisation', 'f_active', 'u_last_login', 'u_actions'];
    mount(listBox, h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('nav_users')},
      h('table', {id: 'users'}, h('thead', {}, h('tr', {}, head.map((w) => h('th', {scope: 'col'}, t(w))))),
        h('tbody', {}, list.items.map(row)))));
  };
  const form = h('form', {class: 'card', novalidate: true, id: 'new-user', 'aria-labelledby': 'nu-h'},
    h('h2', {id: 'nu-h'}, t('new_user')),
    problemBox(),
    h('div', {class: 'grid'},
      field(t('username'), h('input', {name: 'username', autocomplete: 'off'}), t('username_hint')),
      field(t('f_display_name'), h('input', {name: 'display_name', autocomplete: 'off'})),
      field(t('f_role'), select({name: 'role', value: 'staff'}, terms('token.role'))),
      field(t('organisation'), select({name: 'org_id'}, [['', t('own_org')], ...orgs.map((o) => [o.id, o.code + ' — ' + o.name])]))),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('create_user'))));
  onSubmit(form, async () => {
    const u = await post('/users', values(form));
    form.reset();
    oneTime(u.username, u.initial_password);
    await show();
  });
  await show();
  return h('div', {}, h('h1', {}, t('nav_users')), status, form, listBox);
}
