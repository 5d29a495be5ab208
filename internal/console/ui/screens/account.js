// Signing in, changing one's password.
import {h, field} from '../lib/h.js';
import {post} from '../lib/api.js';
import {t, setLang, currentLang} from '../lib/i18n.js';
import {values, showProblem, problemBox, submitting, clearProblems} from '../lib/forms.js';

// signIn shows the sign-in form; done(me) runs with the GET /me object of the signed-in user.
export function signInScreen(done) {
  const user = h('input', {name: 'username', autocomplete: 'username', required: true, autofocus: true});
  const pass = h('input', {name: 'password', type: 'password', autocomplete: 'current-password', required: true});
  const form = h('form', {class: 'card narrow', novalidate: true},
    h('h1', {}, t('app')),
    h('h2', {}, t('sign_in')),
    problemBox(),
    field(t('username'), user),
    field(t('password'), pass),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('sign_in'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submitting(form, async () => {
      try {
        done(await post('/auth/login', values(form)));
      } catch (err) {
        if (err.status === 401) err.message = t('wrong_credentials');
        if (err.status === 429) err.message = t('locked_out', {n: err.retryAfter || '…'});
        showProblem(form, err);
        pass.value = '';
      }
    });
  });
  const other = currentLang() === 'vi' ? 'en' : 'vi';
  return h('main', {id: 'main', class: 'signin'}, form,
    h('p', {class: 'center'}, h('button', {type: 'button', class: 'link', lang: other, 'aria-label': t('language_label'),
      onclick: () => { setLang(other); document.title = t('app'); const main = document.getElementById('main'); main.replaceWith(signInScreen(done)); }}, t('language'))));
}

// passwordScreen changes the signed-in user's password; forced when it signed in with a one-time
// password (the API then allows nothing else). done runs once it is changed.
export function passwordScreen(me, done) {
  const current = h('input', {name: 'current', type: 'password', autocomplete: 'current-password', required: true});
  const next = h('input', {name: 'new', type: 'password', autocomplete: 'new-password', required: true, minlength: 12});
  const again = h('input', {name: 'again', type: 'password', autocomplete: 'new-password', required: true});
  const status = h('p', {class: 'status', role: 'status'});
  const form = h('form', {class: 'card narrow', novalidate: true},
    h('h1', {tabindex: '-1'}, t('change_password')),
    me.must_change_password ? h('p', {class: 'notice'}, t('must_change')) : null,
    problemBox(),
    field(t('current_password'), current),
    field(t('new_password'), next, t('new_password_hint')),
    field(t('repeat_password'), again),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('save'))),
    status);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = values(form);
    if (v.new !== v.again) {
      showProblem(form, {status: 422, message: t('passwords_differ'), errors: [{field: 'again', code: 'invalid'}]});
      return;
    }
    submitting(form, async () => {
      try {
        await post('/me/password', {current: v.current || '', new: v.new || ''});
        clearProblems(form);
        form.reset();
        status.textContent = t('password_changed');
        await done();
      } catch (err) {
        showProblem(form, err);
      }
    });
  });
  return form;
}
