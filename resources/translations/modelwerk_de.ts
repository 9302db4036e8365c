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
        <name>Library</name>
        <message>
            <source> (the model's maximum)</source>
            <translation> (das Maximum des Modells)</translation>
        </message>
        <message>
            <source> ({number} of {total})</source>
            <translation> ({number} von {total})</translation>
        </message>
        <message numerus="yes">
            <source> and %n more</source>
            <translation>
                <numerusform> und %n weiteres</numerusform>
                <numerusform> und %n weitere</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source> in %n file(s)</source>
            <translation>
                <numerusform> in %n Datei</numerusform>
                <numerusform> in %n Dateien</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n model(s)</source>
            <translation>
                <numerusform>%n Modell</numerusform>
                <numerusform>%n Modelle</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n tensor(s)</source>
            <translation>
                <numerusform>%n Tensor</numerusform>
                <numerusform>%n Tensoren</numerusform>
            </translation>
        </message>
        <message>
            <source>&lt;b&gt;{names}&lt;/b&gt;&lt;br&gt;Models folder: {folder}</source>
            <translation>&lt;b&gt;{names}&lt;/b&gt;&lt;br&gt;Modellordner: {folder}</translation>
        </message>
        <message>
            <source>&lt;b&gt;{verdict}&lt;/b&gt; at {context} tokens{capped}</source>
            <translation>&lt;b&gt;{verdict}&lt;/b&gt; bei {context} Token{capped}</translation>
        </message>
        <message>
            <source>Add GGUF, safetensors or other model files to the library</source>
            <translation>GGUF-, safetensors- oder andere Modelldateien zur Bibliothek hinzufügen</translation>
        </message>
        <message>
            <source>Add a Hugging Face or GPTQ model folder to the library</source>
            <translation>Einen Hugging-Face- oder GPTQ-Modellordner zur Bibliothek hinzufügen</translation>
        </message>
        <message>
            <source>Added</source>
            <translation>Hinzugefügt</translation>
        </message>
        <message>
            <source>All formats</source>
            <translation>Alle Formate</translation>
        </message>
        <message numerus="yes">
            <source>Also delete its %n file(s) from disk ({size})</source>
            <translation>
                <numerusform>Auch seine Datei von der Festplatte löschen ({size})</numerusform>
                <numerusform>Auch seine %n Dateien von der Festplatte löschen ({size})</numerusform>
            </translation>
        </message>
        <message>
            <source>Also delete the folder from disk ({size})</source>
            <translation>Auch den Ordner von der Festplatte löschen ({size})</translation>
        </message>
        <message>
            <source>Always do this; don't ask again</source>
            <translation>Immer so verfahren; nicht mehr fragen</translation>
        </message>
        <message>
            <source>Any fit</source>
            <translation>Jede Passung</translation>
        </message>
        <message>
            <source>Architecture</source>
            <translation>Architektur</translation>
        </message>
        <message>
            <source>At {context} tokens: {reason}</source>
            <translation>Bei {context} Token: {reason}</translation>
        </message>
        <message>
            <source>BOS / EOS</source>
            <translation>BOS / EOS</translation>
        </message>
        <message>
            <source>Bytes</source>
            <translation>Bytes</translation>
        </message>
        <message>
            <source>Cancelling…</source>
            <translation>Wird abgebrochen…</translation>
        </message>
        <message>
            <source>Cannot read the model: {error}</source>
            <translation>Das Modell lässt sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Change it later with File &gt; Import…, which always asks</source>
            <translation>Später änderbar über Datei &gt; Importieren…, das immer fragt</translation>
        </message>
        <message>
            <source>Chat</source>
            <translation>Chatten</translation>
        </message>
        <message>
            <source>Chat template</source>
            <translation>Chat-Vorlage</translation>
        </message>
        <message>
            <source>Chat with this model: it loads with the settings that fit this machine (you see the memory estimate first)</source>
            <translation>Mit diesem Modell chatten: es lädt mit den Einstellungen, die zu diesem Rechner passen (Sie sehen zuerst die Speicherschätzung)</translation>
        </message>
        <message>
            <source>Context</source>
            <translation>Kontextlänge</translation>
        </message>
        <message>
            <source>Copy into the models folder (the original stays where it is)</source>
            <translation>In den Modellordner kopieren (das Original bleibt, wo es ist)</translation>
        </message>
        <message>
            <source>Could not scan the models folder: {error}</source>
            <translation>Der Modellordner ließ sich nicht durchsuchen: {error}</translation>
        </message>
        <message>
            <source>Delete</source>
            <translation>Löschen</translation>
        </message>
        <message>
            <source>Delete model</source>
            <translation>Modell löschen</translation>
        </message>
        <message>
            <source>Delete…</source>
            <translation>Löschen…</translation>
        </message>
        <message>
            <source>Does not fit</source>
            <translation>Passt nicht</translation>
        </message>
        <message>
            <source>Evaluate code…</source>
            <translation>Code bewerten…</translation>
        </message>
        <message>
            <source>Filter by name, architecture, quantization</source>
            <translation>Nach Name, Architektur, Quantisierung filtern</translation>
        </message>
        <message>
            <source>Fit unknown</source>
            <translation>Passung unbekannt</translation>
        </message>
        <message>
            <source>Fits here</source>
            <translation>Passt hier</translation>
        </message>
        <message>
            <source>Format</source>
            <translation>Format</translation>
        </message>
        <message>
            <source>Found in the models folder: {names}</source>
            <translation>Im Modellordner gefunden: {names}</translation>
        </message>
        <message>
            <source>Heads</source>
            <translation>Köpfe</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>Importieren</translation>
        </message>
        <message>
            <source>Import a model folder</source>
            <translation>Einen Modellordner importieren</translation>
        </message>
        <message>
            <source>Import files…</source>
            <translation>Dateien importieren…</translation>
        </message>
        <message>
            <source>Import folder…</source>
            <translation>Ordner importieren…</translation>
        </message>
        <message>
            <source>Import into the library</source>
            <translation>In die Bibliothek importieren</translation>
        </message>
        <message>
            <source>Import model files</source>
            <translation>Modelldateien importieren</translation>
        </message>
        <message>
            <source>Import model files or a model folder — or drop them anywhere on the window</source>
            <translation>Modelldateien oder einen Modellordner importieren — oder sie irgendwo auf das Fenster ziehen</translation>
        </message>
        <message>
            <source>Import of {name} cancelled</source>
            <translation>Import von {name} abgebrochen</translation>
        </message>
        <message>
            <source>Imported {name}</source>
            <translation>{name} importiert</translation>
        </message>
        <message>
            <source>Importing {name}{of}…</source>
            <translation>{name} wird importiert{of}…</translation>
        </message>
        <message>
            <source>Import…</source>
            <translation>Importieren…</translation>
        </message>
        <message>
            <source>It is in the Modelwerk models folder; kept there, it is found again at the next scan.</source>
            <translation>Es liegt im Modellordner von Modelwerk; bleibt es dort, wird es beim nächsten Durchsuchen wieder gefunden.</translation>
        </message>
        <message>
            <source>Keep it where it is (the library points to it)</source>
            <translation>Dort lassen, wo es ist (die Bibliothek verweist darauf)</translation>
        </message>
        <message>
            <source>Last used</source>
            <translation>Zuletzt benutzt</translation>
        </message>
        <message>
            <source>Layers</source>
            <translation>Schichten</translation>
        </message>
        <message>
            <source>Library</source>
            <translation>Bibliothek</translation>
        </message>
        <message>
            <source>Make quantized GGUF files of the selected model (Q8_0, Q4_K_M…), with their size and fit; a safetensors model is converted to an F16 GGUF first</source>
            <translation>Quantisierte GGUF-Dateien des gewählten Modells erzeugen (Q8_0, Q4_K_M…), mit ihrer Größe und Passung; ein safetensors-Modell wird zuerst in ein F16-GGUF umgewandelt</translation>
        </message>
        <message>
            <source>Make quantized GGUF files of the selected model in the background (a safetensors model is converted to GGUF first)</source>
            <translation>Quantisierte GGUF-Dateien des gewählten Modells im Hintergrund erzeugen (ein safetensors-Modell wird zuerst in GGUF umgewandelt)</translation>
        </message>
        <message>
            <source>Measure how often this model's Python passes HumanEval's tests (run in a sandbox), System 1 and System 2; compare quantizations in Results</source>
            <translation>Messen, wie oft der Python-Code dieses Modells die Tests von HumanEval besteht (in einer Sandbox), System 1 und System 2; Quantisierungen unter Ergebnisse vergleichen</translation>
        </message>
        <message>
            <source>Missing from disk</source>
            <translation>Fehlt auf der Festplatte</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>Models (*.gguf *.safetensors *.bin *.pt *.pth *.ckpt);;All files (*)</source>
            <translation>Modelle (*.gguf *.safetensors *.bin *.pt *.pth *.ckpt);;Alle Dateien (*)</translation>
        </message>
        <message>
            <source>Modelwerk cannot tell this model's memory layout.</source>
            <translation>Modelwerk kennt die Speicheraufteilung dieses Modells nicht.</translation>
        </message>
        <message>
            <source>Move into the models folder</source>
            <translation>In den Modellordner verschieben</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Not deleted: {error}</source>
            <translation>Nicht gelöscht: {error}</translation>
        </message>
        <message>
            <source>Not imported: {error}</source>
            <translation>Nicht importiert: {error}</translation>
        </message>
        <message>
            <source>On this machine</source>
            <translation>Auf diesem Rechner</translation>
        </message>
        <message>
            <source>Parameters</source>
            <translation>Parameter</translation>
        </message>
        <message>
            <source>Params</source>
            <translation>Parameter</translation>
        </message>
        <message>
            <source>Preparing the demo models (SmolLM2 135M Instruct, Gemma 3 270M)…</source>
            <translation>Die Demo-Modelle werden vorbereitet (SmolLM2 135M Instruct, Gemma 3 270M)…</translation>
        </message>
        <message>
            <source>Preparing the demo model…</source>
            <translation>Das Demo-Modell wird vorbereitet…</translation>
        </message>
        <message>
            <source>Quant</source>
            <translation>Quant.</translation>
        </message>
        <message>
            <source>Quantization</source>
            <translation>Quantisierung</translation>
        </message>
        <message>
            <source>Quantize…</source>
            <translation>Quantisieren…</translation>
        </message>
        <message>
            <source>Reading the hardware…</source>
            <translation>Hardware wird gelesen…</translation>
        </message>
        <message>
            <source>Reading the model…</source>
            <translation>Modell wird gelesen…</translation>
        </message>
        <message>
            <source>Reading…</source>
            <translation>Wird gelesen…</translation>
        </message>
        <message>
            <source>Remove {name} from the library?</source>
            <translation>{name} aus der Bibliothek entfernen?</translation>
        </message>
        <message>
            <source>Removed {name} from the library</source>
            <translation>{name} aus der Bibliothek entfernt</translation>
        </message>
        <message>
            <source>Reveal in file manager: open the folder that holds the model</source>
            <translation>Im Dateimanager zeigen: den Ordner öffnen, der das Modell enthält</translation>
        </message>
        <message>
            <source>Runs on the GPU</source>
            <translation>Läuft auf der GPU</translation>
        </message>
        <message>
            <source>Select a model to see its details.

Drop model files or folders anywhere on the window to add them.</source>
            <translation>Wählen Sie ein Modell, um seine Einzelheiten zu sehen.

Ziehen Sie Modelldateien oder -ordner irgendwo auf das Fenster, um sie hinzuzufügen.</translation>
        </message>
        <message>
            <source>Show in folder</source>
            <translation>Im Ordner zeigen</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <source>Sliding window</source>
            <translation>Gleitendes Fenster</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Quelle</translation>
        </message>
        <message>
            <source>Tensors</source>
            <translation>Tensoren</translation>
        </message>
        <message>
            <source>Tensors by type</source>
            <translation>Tensoren nach Typ</translation>
        </message>
        <message>
            <source>The demo model {name} is ready</source>
            <translation>Das Demo-Modell {name} ist bereit</translation>
        </message>
        <message>
            <source>The files of this model are missing from disk.</source>
            <translation>Die Dateien dieses Modells fehlen auf der Festplatte.</translation>
        </message>
        <message>
            <source>This model has no chat template.</source>
            <translation>Dieses Modell hat keine Chat-Vorlage.</translation>
        </message>
        <message>
            <source>Tokenizer</source>
            <translation>Tokenizer</translation>
        </message>
        <message>
            <source>Unsafe format — {reason}.</source>
            <translation>Unsicheres Format — {reason}.</translation>
        </message>
        <message>
            <source>Where the model runs on this machine at the context chosen in the details panel</source>
            <translation>Wo das Modell auf diesem Rechner läuft, bei der im Detailbereich gewählten Kontextlänge</translation>
        </message>
        <message>
            <source>computing…</source>
            <translation>wird berechnet…</translation>
        </message>
        <message>
            <source>missing</source>
            <translation>fehlt</translation>
        </message>
        <message>
            <source>needs {needs}</source>
            <translation>braucht {needs}</translation>
        </message>
        <message>
            <source>never</source>
            <translation>nie</translation>
        </message>
        <message>
            <source>pickle (unsafe)</source>
            <translation>pickle (unsicher)</translation>
        </message>
        <message>
            <source>queued</source>
            <translation>wartet</translation>
        </message>
        <message>
            <source>shape unknown</source>
            <translation>Form unbekannt</translation>
        </message>
        <message>
            <source>speed unknown</source>
            <translation>Geschwindigkeit unbekannt</translation>
        </message>
        <message>
            <source>{count} parameters</source>
            <translation>{count} Parameter</translation>
        </message>
        <message>
            <source>{count} tokens</source>
            <translation>{count} Token</translation>
        </message>
        <message>
            <source>{heads} · {kv} KV · dim {dims}</source>
            <translation>{heads} · {kv} KV · Dim. {dims}</translation>
        </message>
        <message>
            <source>{layers} · embedding {embedding}</source>
            <translation>{layers} · Einbettung {embedding}</translation>
        </message>
        <message>
            <source>{layers}/{total} layers on GPU</source>
            <translation>{layers}/{total} Schichten auf der GPU</translation>
        </message>
        <message>
            <source>{name}  (missing)</source>
            <translation>{name}  (fehlt)</translation>
        </message>
        <message>
            <source>{name} is already in the library as {other}</source>
            <translation>{name} ist bereits als {other} in der Bibliothek</translation>
        </message>
        <message>
            <source>{path} is missing: its files are no longer on disk</source>
            <translation>{path} fehlt: seine Dateien sind nicht mehr auf der Festplatte</translation>
        </message>
        <message numerus="yes">
            <source>{shown} of %n model(s)</source>
            <translation>
                <numerusform>{shown} von %n Modell</numerusform>
                <numerusform>{shown} von %n Modellen</numerusform>
            </translation>
        </message>
        <message>
            <source>{size} bytes</source>
            <translation>{size} Bytes</translation>
        </message>
        <message>
            <source>{size} bytes, {share} % of the weights</source>
            <translation>{size} Bytes, {share} % der Gewichte</translation>
        </message>
        <message>
            <source>{speed} · needs {needs} · KV cache {kv}</source>
            <translation>{speed} · braucht {needs} · KV-Cache {kv}</translation>
        </message>
        <message>
            <source>~{speed} tokens/s (estimate)</source>
            <translation>~{speed} Token/s (Schätzung)</translation>
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
    <context>
        <name>Verdicts</name>
        <message>
            <source>All layers on GPU, output on CPU</source>
            <translation>Alle Schichten auf der GPU, Ausgabe auf der CPU</translation>
        </message>
        <message>
            <source>CPU only</source>
            <translation>Nur CPU</translation>
        </message>
        <message>
            <source>Does not fit</source>
            <translation>Passt nicht</translation>
        </message>
        <message>
            <source>Full GPU</source>
            <translation>Ganz auf der GPU</translation>
        </message>
        <message>
            <source>{layers} of {total} layers on GPU</source>
            <translation>{layers} von {total} Schichten auf der GPU</translation>
        </message>
    </context>
</TS>
