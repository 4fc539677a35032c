// The console's shell: sign-in gate, header with navigation and sign-out, unfinished-upload notes, the pages.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { get } from "./api";
import { Alert, Spinner } from "./components/ui";
import { bytes } from "./format";
import { href, type Route, useRoute } from "./router";
import { getSession, onSessionChange, type Session, setSession } from "./session";
import { liveUpload, onUploadsChange, type PendingNote, pendingNotes } from "./upload/registry";
import { CreateImagePage } from "./views/create-image";
import { ImageDetailPage } from "./views/image-detail";
import { ImageListPage } from "./views/image-list";
import { SharedPage } from "./views/shared";
import { SignIn } from "./views/sign-in";
import { UsagePage } from "./views/usage";

const NAV: [string, string][] = [
  ["images", "Images"],
  ["shared", "Shared with me"],
  ["create", "Create"],
  ["usage", "Usage"],
];

function Header({ session, route }: { session: Session; route: Route }) {
  const section = route.parts[0] ?? "images";
  return (
    <header class="top">
      <a class="brand" href={href("images")}>
        Glance console
      </a>
      <nav aria-label="Main">
        {NAV.map(([path, label]) => (
          <a key={path} href={href(path)} aria-current={section === path ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <div class="who">
        <span class="small" title={session.roles.join(", ")}>
          {session.userId} · <span class="mono">{session.projectId ?? "no project"}</span>
        </span>
        <button type="button" class="btn btn-small" onClick={() => setSession(null)}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/** Uploads a reload interrupted: the note survives in localStorage, the data on the server. */
function UnfinishedUploads({ route }: { route: Route }) {
  const [notes, setNotes] = useState<PendingNote[]>(pendingNotes);
  useEffect(() => onUploadsChange(() => setNotes(pendingNotes())), []);
  const here = route.parts[0] === "images" ? route.parts[1] : undefined;
  const open = notes.filter((n) => !liveUpload(n.imageId) && n.imageId !== here);
  if (open.length === 0) return null;
  return (
    <Alert kind="info">
      {open.map((n) => (
        <p key={n.imageId}>
          The upload of {n.fileName} ({bytes(n.size)}) into “{n.imageName}” did not finish.{" "}
          <a href={href(`images/${n.imageId}`)}>Open the image to resume it</a>.
        </p>
      ))}
    </Alert>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  const [section = "images", id] = route.parts;
  if (section === "images" && id) return <ImageDetailPage id={id} session={session} key={id} />;
  if (section === "create") return <CreateImagePage session={session} />;
  if (section === "shared") return <SharedPage session={session} />;
  if (section === "usage") return <UsagePage session={session} />;
  return <ImageListPage route={route} session={session} />;
}

function App() {
  const route = useRoute();
  const [session, setS] = useState(getSession);
  const [authMode, setAuthMode] = useState<"static" | "keystone" | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => onSessionChange(setS), []);
  useEffect(() => {
    get<{ auth_mode: "static" | "keystone" }>("/console/config.json")
      .then((c) => setAuthMode(c.auth_mode))
      .catch((e: Error) => setError(e.message));
  }, []);

  return (
    <>
      {/* Not a #main link: the hash is the router's. */}
      <button type="button" class="skip" onClick={() => document.getElementById("main")?.focus()}>
        Skip to content
      </button>
      {session && <Header session={session} route={route} />}
      <div class="container">
        {error && <Alert>{error}</Alert>}
        {session ? (
          <>
            <UnfinishedUploads route={route} />
            <Page route={route} session={session} />
          </>
        ) : authMode ? (
          <SignIn authMode={authMode} />
        ) : (
          !error && <Spinner label="Loading" />
        )}
      </div>
    </>
  );
}

render(<App />, document.getElementById("app")!);
