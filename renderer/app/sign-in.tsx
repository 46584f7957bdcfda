/** The screen of a tab without a token: how to get one, and a field to paste it. */
import { useState } from 'react';
import { Button, ErrorBanner, Field, TextInput } from '../components/index.ts';
import { signInWithToken, useSession } from '../state/session.ts';

/** The sign-in screen. */
export function SignIn() {
  const error = useSession((s) => s.error);
  const [token, setToken] = useState('');
  return (
    <div className="signin" data-testid="signin">
      <h1>PiTR Studio</h1>
      <p>
        This tab is not signed in to the host. Open the address that <code>npm start</code> (or <code>pitr server --web</code>) printed: its one-time code signs you in.
        Or paste the access token from the file <code>token</code> in the host's data dir.
      </p>
      <ErrorBanner error={error} title="Could not sign in" />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void signInWithToken(token);
        }}
      >
        <Field label="Access token">
          <TextInput type="password" value={token} onChange={(e) => setToken(e.target.value)} data-testid="signin-token" />
        </Field>
        <Button kind="primary" type="submit" disabled={token.trim() === ''} data-testid="signin-submit">
          Sign in
        </Button>
      </form>
    </div>
  );
}
