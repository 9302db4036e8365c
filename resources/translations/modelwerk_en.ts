<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
    <context>
        <name>Chat</name>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n file</numerusform>
                <numerusform>%n files</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n tool step(s)</source>
            <translation>
                <numerusform>%n tool step</numerusform>
                <numerusform>%n tool steps</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Reading %n file(s)…</source>
            <translation>
                <numerusform>Reading %n file…</numerusform>
                <numerusform>Reading %n files…</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Discover</name>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>%n day ago</numerusform>
                <numerusform>%n days ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n month(s) ago</source>
            <translation>
                <numerusform>%n month ago</numerusform>
                <numerusform>%n months ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n repositories</source>
            <translation>
                <numerusform>%n repository</numerusform>
                <numerusform>%n repositories</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n week(s) ago</source>
            <translation>
                <numerusform>%n week ago</numerusform>
                <numerusform>%n weeks ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n year(s) ago</source>
            <translation>
                <numerusform>%n year ago</numerusform>
                <numerusform>%n years ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Fits across %n machines</source>
            <translation>
                <numerusform>Fits across %n machine</numerusform>
                <numerusform>Fits across %n machines</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{size} bytes in %n file(s)</source>
            <translation>
                <numerusform>{size} bytes in %n file</numerusform>
                <numerusform>{size} bytes in %n files</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Documents</name>
        <message numerus="yes">
            <source>%n file(s)</source>
            <translation>
                <numerusform>%n file</numerusform>
                <numerusform>%n files</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n file(s) pending in {where} — Resume indexes them, Cancel drops the ones not indexed yet</source>
            <translation>
                <numerusform>%n file pending in {where} — Resume indexes them, Cancel drops the ones not indexed yet</numerusform>
                <numerusform>%n files pending in {where} — Resume indexes them, Cancel drops the ones not indexed yet</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Indexing cancelled; %n file(s) not added</source>
            <translation>
                <numerusform>Indexing cancelled; %n file not added</numerusform>
                <numerusform>Indexing cancelled; %n files not added</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Indexing queued (%n job(s) on the Jobs page)…</source>
            <translation>
                <numerusform>Indexing queued (%n job on the Jobs page)…</numerusform>
                <numerusform>Indexing queued (%n jobs on the Jobs page)…</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Removed %n file(s) from the collection</source>
            <translation>
                <numerusform>Removed %n file from the collection</numerusform>
                <numerusform>Removed %n files from the collection</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Format</name>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>%n day ago</numerusform>
                <numerusform>%n days ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n hour(s) ago</source>
            <translation>
                <numerusform>%n hour ago</numerusform>
                <numerusform>%n hours ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n minute(s) ago</source>
            <translation>
                <numerusform>%n minute ago</numerusform>
                <numerusform>%n minutes ago</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Hardware</name>
        <message numerus="yes">
            <source>%n day(s) ago</source>
            <translation>
                <numerusform>%n day ago</numerusform>
                <numerusform>%n days ago</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n device(s)</source>
            <translation>
                <numerusform>%n device</numerusform>
                <numerusform>%n devices</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>; %n thread(s), measured {age}{busy}</source>
            <translation>
                <numerusform>; %n thread, measured {age}{busy}</numerusform>
                <numerusform>; %n threads, measured {age}{busy}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>fits across %n machines</source>
            <translation>
                <numerusform>fits across %n machine</numerusform>
                <numerusform>fits across %n machines</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Jobs</name>
        <message numerus="yes">
            <source>%n result(s)</source>
            <translation>
                <numerusform>%n result</numerusform>
                <numerusform>%n results</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n type(s) selected</source>
            <translation>
                <numerusform>%n type selected</numerusform>
                <numerusform>%n types selected</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Queued %n job(s)</source>
            <translation>
                <numerusform>Queued %n job</numerusform>
                <numerusform>Queued %n jobs</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>Library</name>
        <message numerus="yes">
            <source> and %n more</source>
            <translation>
                <numerusform> and %n more</numerusform>
                <numerusform> and %n more</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source> in %n file(s)</source>
            <translation>
                <numerusform> in %n file</numerusform>
                <numerusform> in %n files</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n model(s)</source>
            <translation>
                <numerusform>%n model</numerusform>
                <numerusform>%n models</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n tensor(s)</source>
            <translation>
                <numerusform>%n tensor</numerusform>
                <numerusform>%n tensors</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Also delete its %n file(s) from disk ({size})</source>
            <translation>
                <numerusform>Also delete its file from disk ({size})</numerusform>
                <numerusform>Also delete its %n files from disk ({size})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{shown} of %n model(s)</source>
            <translation>
                <numerusform>{shown} of %n model</numerusform>
                <numerusform>{shown} of %n models</numerusform>
            </translation>
        </message>
    </context>
    <context>
        <name>messages</name>
        <message numerus="yes">
            <source>%n bidirectional control characters (the text shown is not the order it is read in)</source>
            <translation>
                <numerusform>%n bidirectional control character (the text shown is not the order it is read in)</numerusform>
                <numerusform>%n bidirectional control characters (the text shown is not the order it is read in)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n flagged passages left out, as asked</source>
            <translation>
                <numerusform>%n flagged passage left out, as asked</numerusform>
                <numerusform>%n flagged passages left out, as asked</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n invisible characters ({names})</source>
            <translation>
                <numerusform>%n invisible character ({names})</numerusform>
                <numerusform>%n invisible characters ({names})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n passages: {citations}</source>
            <translation>
                <numerusform>%n passage: {citations}</numerusform>
                <numerusform>%n passages: {citations}</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>%n retrieved passages did not fit the context</source>
            <translation>
                <numerusform>%n retrieved passage did not fit the context</numerusform>
                <numerusform>%n retrieved passages did not fit the context</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Index %n files into ‹{collection}›</source>
            <translation>
                <numerusform>Index %n file into ‹{collection}›</numerusform>
                <numerusform>Index %n files into ‹{collection}›</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>Stopped after %n rounds of tool calls: the answer may be incomplete.</source>
            <translation>
                <numerusform>Stopped after %n round of tool calls: the answer may be incomplete.</numerusform>
                <numerusform>Stopped after %n rounds of tool calls: the answer may be incomplete.</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>answered from %n retrieved passages</source>
            <translation>
                <numerusform>answered from %n retrieved passage</numerusform>
                <numerusform>answered from %n retrieved passages</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>answered from %n retrieved passages ({how})</source>
            <translation>
                <numerusform>answered from %n retrieved passage ({how})</numerusform>
                <numerusform>answered from %n retrieved passages ({how})</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>answered from %n whole documents ({tokens} tokens)</source>
            <translation>
                <numerusform>answered from the whole document ({tokens} tokens)</numerusform>
                <numerusform>answered from %n whole documents ({tokens} tokens)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{base} (%n parts)</source>
            <translation>
                <numerusform>{base} (%n part)</numerusform>
                <numerusform>{base} (%n parts)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{judge} judged this an instruction to the assistant (score {score}, threshold {threshold} from %n of your passages)</source>
            <translation>
                <numerusform>{judge} judged this an instruction to the assistant (score {score}, threshold {threshold} from %n of your passages)</numerusform>
                <numerusform>{judge} judged this an instruction to the assistant (score {score}, threshold {threshold} from %n of your passages)</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{model} over the first %n hits of {search} search</source>
            <translation>
                <numerusform>{model} over the first %n hit of {search} search</numerusform>
                <numerusform>{model} over the first %n hits of {search} search</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{name} does not fit across this machine and %n workers: {device} would need {need} MiB and offers {offers} MiB; add a machine, or choose a smaller model or context</source>
            <translation>
                <numerusform>{name} does not fit across this machine and %n worker: {device} would need {need} MiB and offers {offers} MiB; add a machine, or choose a smaller model or context</numerusform>
                <numerusform>{name} does not fit across this machine and %n workers: {device} would need {need} MiB and offers {offers} MiB; add a machine, or choose a smaller model or context</numerusform>
            </translation>
        </message>
        <message numerus="yes">
            <source>{summary} · %n figures</source>
            <translation>
                <numerusform>{summary} · %n figure</numerusform>
                <numerusform>{summary} · %n figures</numerusform>
            </translation>
        </message>
    </context>
</TS>
