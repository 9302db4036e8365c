<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
    <context>
        <name>App</name>
        <message>
            <source>Modelwerk cannot start</source>
            <translation>Modelwerk kann nicht starten</translation>
        </message>
        <message>
            <source>Modelwerk — unexpected error</source>
            <translation>Modelwerk — unerwarteter Fehler</translation>
        </message>
        <message>
            <source>The details were written to {path}. Modelwerk keeps running.</source>
            <translation>Die Einzelheiten stehen in {path}. Modelwerk läuft weiter.</translation>
        </message>
    </context>
    <context>
        <name>Format</name>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>vor %n Tag</numerusform>
                <numerusform>vor %n Tagen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n hour(s) ago</source>
            <translation>
                <numerusform>vor %n Stunde</numerusform>
                <numerusform>vor %n Stunden</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n minute(s) ago</source>
            <translation>
                <numerusform>vor %n Minute</numerusform>
                <numerusform>vor %n Minuten</numerusform>
            </translation>
        </message>
        <message>
            <source>earlier</source>
            <translation>früher</translation>
        </message>
        <message>
            <source>just now</source>
            <translation>gerade eben</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source> and </source>
            <translation> und </translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>&amp;Datei</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>&amp;Hilfe</translation>
        </message>
        <message>
            <source>About Modelwerk</source>
            <translation>Über Modelwerk</translation>
        </message>
        <message>
            <source>Cannot open a file manager; the logs are in {folder}</source>
            <translation>Kein Dateimanager lässt sich öffnen; die Protokolle liegen in {folder}</translation>
        </message>
        <message>
            <source>Chat</source>
            <translation>Chat</translation>
        </message>
        <message>
            <source>Compare</source>
            <translation>Vergleichen</translation>
        </message>
        <message>
            <source>Discover</source>
            <translation>Entdecken</translation>
        </message>
        <message>
            <source>Documents</source>
            <translation>Dokumente</translation>
        </message>
        <message>
            <source>Downloaded {name} — it is in the Library</source>
            <translation>{name} heruntergeladen — es ist in der Bibliothek</translation>
        </message>
        <message>
            <source>Downloaded {name} — the Jobs page converts and quantizes it now</source>
            <translation>{name} heruntergeladen — die Seite Aufträge konvertiert und quantisiert es jetzt</translation>
        </message>
        <message>
            <source>Getting started</source>
            <translation>Erste Schritte</translation>
        </message>
        <message>
            <source>Hardware</source>
            <translation>Hardware</translation>
        </message>
        <message>
            <source>Jobs</source>
            <translation>Aufträge</translation>
        </message>
        <message>
            <source>Keyboard shortcuts</source>
            <translation>Tastenkürzel</translation>
        </message>
        <message>
            <source>Library</source>
            <translation>Bibliothek</translation>
        </message>
        <message>
            <source>Open the log folder</source>
            <translation>Protokollordner öffnen</translation>
        </message>
        <message>
            <source>Please attach the latest log from {folder} to the report</source>
            <translation>Bitte hängen Sie das neueste Protokoll aus {folder} an die Meldung an</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Beenden</translation>
        </message>
        <message>
            <source>Report a problem…</source>
            <translation>Problem melden…</translation>
        </message>
        <message>
            <source>Restart Modelwerk to use the new {settings}.</source>
            <translation>Starten Sie Modelwerk neu, damit die Änderung an {settings} gilt.</translation>
        </message>
        <message>
            <source>Restart Modelwerk?</source>
            <translation>Modelwerk neu starten?</translation>
        </message>
        <message>
            <source>Saving the settings…</source>
            <translation>Einstellungen werden gespeichert…</translation>
        </message>
        <message>
            <source>Settings not saved: {message}</source>
            <translation>Einstellungen nicht gespeichert: {message}</translation>
        </message>
        <message>
            <source>Settings saved.</source>
            <translation>Einstellungen gespeichert.</translation>
        </message>
        <message>
            <source>Settings…</source>
            <translation>Einstellungen…</translation>
        </message>
        <message>
            <source>Show the downloads</source>
            <translation>Downloads anzeigen</translation>
        </message>
        <message>
            <source>The Hugging Face token is stored.</source>
            <translation>Der Hugging-Face-Token ist gespeichert.</translation>
        </message>
        <message>
            <source>The new language is used after a restart. Restart Modelwerk now?</source>
            <translation>Die neue Sprache gilt nach einem Neustart. Modelwerk jetzt neu starten?</translation>
        </message>
        <message>
            <source>The token is removed.</source>
            <translation>Der Token ist entfernt.</translation>
        </message>
    </context>
    <context>
        <name>Settings</name>
        <message>
            <source> tokens/s</source>
            <translation> Token/s</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>Automatisch</translation>
        </message>
        <message>
            <source>CPU threads</source>
            <translation>CPU-Threads</translation>
        </message>
        <message>
            <source>Choose…</source>
            <translation>Auswählen…</translation>
        </message>
        <message>
            <source>Downloads and jobs</source>
            <translation>Downloads und Aufträge</translation>
        </message>
        <message>
            <source>Downloads and quantized files go here. Takes effect after a restart.</source>
            <translation>Downloads und quantisierte Dateien landen hier. Gilt nach einem Neustart.</translation>
        </message>
        <message>
            <source>For gated and private models. Kept in the system keyring, never shown again.</source>
            <translation>Für geschützte und private Modelle. Liegt im Schlüsselbund des Systems und wird nie wieder angezeigt.</translation>
        </message>
        <message>
            <source>GPU margin</source>
            <translation>GPU-Reserve</translation>
        </message>
        <message>
            <source>GPU memory to keep free</source>
            <translation>Freizuhaltender GPU-Speicher</translation>
        </message>
        <message>
            <source>Hugging Face endpoint</source>
            <translation>Hugging-Face-Adresse</translation>
        </message>
        <message>
            <source>Interface</source>
            <translation>Oberfläche</translation>
        </message>
        <message>
            <source>Kept free for the desktop when estimating fit. After a restart.</source>
            <translation>Bleibt bei der Passungsschätzung für den Desktop frei. Nach einem Neustart.</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>Sprache</translation>
        </message>
        <message>
            <source>Machine</source>
            <translation>Rechner</translation>
        </message>
        <message>
            <source>Models</source>
            <translation>Modelle</translation>
        </message>
        <message>
            <source>Models folder</source>
            <translation>Modellordner</translation>
        </message>
        <message>
            <source>Parallel downloads</source>
            <translation>Parallele Downloads</translation>
        </message>
        <message>
            <source>Parallel jobs</source>
            <translation>Parallele Aufträge</translation>
        </message>
        <message>
            <source>Quantizations and evaluations; each needs memory. At once.</source>
            <translation>Quantisierungen und Bewertungen; jede braucht Speicher. Sofort.</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Replace…</source>
            <translation>Ersetzen…</translation>
        </message>
        <message>
            <source>Settings</source>
            <translation>Einstellungen</translation>
        </message>
        <message>
            <source>System language</source>
            <translation>Systemsprache</translation>
        </message>
        <message>
            <source>Takes effect after a restart, which Modelwerk offers.</source>
            <translation>Gilt nach einem Neustart, den Modelwerk anbietet.</translation>
        </message>
        <message>
            <source>Takes effect at once.</source>
            <translation>Gilt sofort.</translation>
        </message>
        <message>
            <source>The Load dialog's default, for models loaded from now on.</source>
            <translation>Vorgabe des Laden-Dialogs, für ab jetzt geladene Modelle.</translation>
        </message>
        <message>
            <source>The advice and Discover's best file only pick models this fast. At once.</source>
            <translation>Die Empfehlung und die beste Datei in Entdecken wählen nur so schnelle Modelle. Sofort.</translation>
        </message>
        <message>
            <source>The hub or a mirror. Takes effect after a restart.</source>
            <translation>Der Hub oder ein Spiegel. Gilt nach einem Neustart.</translation>
        </message>
        <message>
            <source>Token</source>
            <translation>Token</translation>
        </message>
        <message>
            <source>Usable speed</source>
            <translation>Brauchbare Geschwindigkeit</translation>
        </message>
        <message>
            <source>Without a token of Modelwerk's own: {fallback}</source>
            <translation>Ohne eigenen Token von Modelwerk: {fallback}</translation>
        </message>
        <message>
            <source>any (judge by fit alone)</source>
            <translation>beliebig (nur nach Passung urteilen)</translation>
        </message>
        <message>
            <source>language</source>
            <translation>Sprache</translation>
        </message>
        <message>
            <source>models folder</source>
            <translation>Modellordner</translation>
        </message>
        <message>
            <source>paste a token (hf_…)</source>
            <translation>Token einfügen (hf_…)</translation>
        </message>
        <message>
            <source>paste the new token (hf_…)</source>
            <translation>neuen Token einfügen (hf_…)</translation>
        </message>
        <message>
            <source>stored (hidden)</source>
            <translation>gespeichert (verborgen)</translation>
        </message>
        <message>
            <source>will be removed when you press OK</source>
            <translation>wird beim Drücken von OK entfernt</translation>
        </message>
    </context>
</TS>
