// The console's entry: who is signed in (GET /me), the shell with the screens its role may use,
// and the router (#/screen/…; the address bar keeps the screen across a reload).
import {h, mount} from './lib/h.js';
import {get, post, setCSRF, whenSignedOut} from './lib/api.js';
import {t, label, loadVocab, setLang, currentLang} from './lib/i18n.js';
import {signInScreen, passwordScreen} from './screens/account.js';

// screens, in the order of the navigation; each is shown to the roles holding perm.
const screens = [
  {path: 'today', perm: 'registry:write', word: 'nav_today', load: () => import('./screens/today.js')},
  {path: 'cases', perm: 'registry:read', word: 'nav_cases', load: () => import('./screens/cases.js')},
  {path: 'deadlines', perm: 'registry:read', word: 'nav_deadlines', load: () => import('./screens/deadlines.js')},
  {path: 'directives', perm: 'registry:read', word: 'nav_directives', load: () => import('./screens/directives.js')},
  {path: 'stats', perm: 'stats:read', word: 'nav_stats', load: () => import('./screens/stats.js')},
  {path: 'audit', perm: 'audit:read', word: 'nav_audit', load: () => import('./screens/audit.js')},
  {path: 'users', perm: 'users:manage', word: 'nav_users', load: () => import('./screens/users.js')},
];

const root = document.getElementById('app');
let me = null;

const allowed = () => screens.filter((s) => me.permissions.includes(s.perm));

function showSignIn() {
  // once: the sign-out and an answer 401 to a request still under way may both ask for it
  if (!me && root.querySelector('main.signin')) return;
  me = null;
  setCSRF('');
  document.title = t('app');
  mount(root, signInScreen(async (who) => { await signedIn(who); }));
  root.querySelector('input')?.focus();
}

async function signedIn(who) {
  me = who;
  setCSRF(me.csrf_token);
  if (me.must_change_password) {
    mount(root, shell(passwordScreen(me, async () => signedIn(await get('/me')))));
    return;
  }
  await loadVocab();
  route();
}

async function signOut() {
  try { await post('/auth/logout'); } finally { location.hash = ''; showSignIn(); }
}

function shell(content) {
  const nav = me.must_change_password ? [] : allowed();
  const here = location.hash.slice(2).split('/')[0];
  return [
    h('a', {class: 'skip', href: '#main', onclick: (ev) => { ev.preventDefault(); document.getElementById('main').focus(); }}, t('app')),
    h('header', {class: 'top'},
      h('span', {class: 'brand'}, t('app')),
      h('nav', {'aria-label': t('nav')}, h('ul', {}, nav.map((s) =>
        h('li', {}, h('a', {href: '#/' + s.path, 'aria-current': s.path === here ? 'page' : null}, t(s.word)))))),
      h('div', {class: 'who'},
        h('span', {class: 'name'}, me.name), ' ',
        h('span', {class: 'role'}, label('token.role', me.role) + (me.org_code ? ' · ' + me.org_code : ''))),
      h('div', {class: 'tools'},
        h('button', {type: 'button', class: 'link', lang: currentLang() === 'vi' ? 'en' : 'vi', 'aria-label': t('language_label'),
          onclick: () => { setLang(currentLang() === 'vi' ? 'en' : 'vi'); route(); }}, t('language')),
        me.must_change_password ? null : h('a', {href: '#/password'}, t('change_password')),
        h('button', {type: 'button', id: 'sign-out', onclick: signOut}, t('sign_out')))),
    h('main', {id: 'main', tabindex: '-1'}, content),
  ];
}

// route shows the screen the address names, or the role's first one.
async function route() {
  if (!me) return;
  if (me.must_change_password) return signedIn(me);
  const [path, ...params] = location.hash.slice(2).split('/').map(decodeURIComponent);
  if (path === 'password') {
    mount(root, shell(passwordScreen(me, () => {})));
    document.title = t('change_password') + ' · ' + t('app');
    return;
  }
  const screen = allowed().find((s) => s.path === path);
  if (!screen) {
    const first = allowed()[0];
    if (first && path !== first.path) { location.hash = '#/' + first.path; return; }
    mount(root, shell(h('p', {}, t('not_found_screen'))));
    return;
  }
  mount(root, shell(h('p', {class: 'loading'}, t('loading'))));
  const main = document.getElementById('main');
  document.title = t(screen.word) + ' · ' + t('app');
  const go = (p) => { location.hash = '#/' + p; };
  try {
    const mod = await screen.load();
    const content = await mod.render({me, params, go, main});
    if (!me || !root.contains(main)) return; // signed out, or another screen asked for, meanwhile
    mount(main, content);
  } catch (err) {
    if (err.status === 401) return; // the session ended: the sign-in is shown
    mount(main, h('div', {class: 'problem', role: 'alert'}, h('strong', {}, t('error') + ': '),
      err.status === 0 ? t('network') : err.status === 403 ? t('forbidden') : err.message));
    return;
  }
  const heading = main.querySelector('h1');
  if (heading && !main.contains(document.activeElement)) { heading.tabIndex = -1; heading.focus(); }
}

whenSignedOut(showSignIn);
window.addEventListener('hashchange', route);

(async () => {
  try {
    await signedIn(await get('/me'));
  } catch {
    showSignIn();
  }
})();
