/** The renderer's entry: signs in, then shows the app shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './app/shell.tsx';
import { SignIn } from './app/sign-in.tsx';
import { startSession, useSession } from './state/session.ts';
import './styles/app.css';

function App() {
  const phase = useSession((s) => s.phase);
  if (phase === 'starting') return <div className="boot">Connecting to the host…</div>;
  if (phase === 'signed-out') return <SignIn />;
  return <Shell />;
}

void startSession();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
