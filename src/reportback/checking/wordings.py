"""The words that say a part is withheld: labels, the phrases around them, and the
patterns that read them at a line's or a sentence's start, in a heading, in capitals, or
anywhere (`SAYS`). `intent` reads a report's lines and values with them.

Each round of adversary helpers found wordings the lists did not hold (`Confidential
annex:`, `Item 4 Confidential:`, `Not for the press:`); each is refused only where it labels
(a colon or dash after it, a heading made of it), so that everyday sentences near the same
words are published (`For members, the social is free.`).
"""

from __future__ import annotations

import re

from reportback.checking.caseless import Caseless

GAP = r"[\s\-]*"
"""What may stand between the words of a phrase: spaces, line breaks, hyphens, or nothing
(the words run together once characters that show nothing are taken out)."""
UNTIL = r"(?:until|untill|till?|[’']til)"
"""`until` as it is written in a hurry (`Embargoed til Friday:`; adversary helper 91)."""
WHEN = r"(?:[^:\n.!?()\[\]]|(?<=\d):(?=\d)){1,30}?(?!:\d)"
"""Up to 30 characters of a reason or a time in one clause, a time's colon among them (`until
00:01`: the colon of a time is not a label's; adversary helper 82)."""
PARTS = r"(?:part|bit|section|item|paragraph|passage|point|piece|portion|note|discussion|update)s?"
"""What a phrase saying a part is withheld may call it (`This part is confidential.`, `The
rest of this item is members only`; adversary helpers 78 and 79)."""
OPINION = (
    r"[\s\-]*(?:(?:this|that|the|these|those|such|an?|any|every)[\s\-]+)?"
    r"(?:[\w-]+(?:[’']s|s[’'])[\s\-]+)?(?:views?|optimism"
    r"|pessimism|concerns?|opinions?|assessment|analysis|enthusiasm|confidence|beliefs?|feelings?"
    r"|sentiments?|hopes?|fears?|vision|aims?|goals?|interpretation|reading|worry|worries"
    r"|frustrations?|values?|priorit(?:y|ies)|approach|position|outlook|perspective|doubts?"
    r"|reservations?|misgivings?|sense|instinct|ambitions?|commitment|passion)\b"
)
"""What one does not share who disagrees (`I don't share this optimism`; adversary helper
100; `the Tories’ enthusiasm`, `the leadership’s view`: honest user helper 148): not a label."""
DATA = r"|data|details|membership|contact|e-?mails?|addresses|numbers"
LABEL_AFTER = r"|(?=[^\n.!?]*[:–—])"
"""A colon or a dash later in the sentence: what follows is what the words say not to share
(`We don't share them outside the room: Jo…`, `Please don't share membership details: Jo…`:
adversary helper 152), whatever else would make them prose."""
NOT_THE_ROOM = (
    r"(?![ \t]+than\b(?![ \t]+(?:this|the)[ \t]+(?:room|nec|committee|meeting|panel|group)\b)"
    r"(?![^\n.!?]*[:–—]))"
)
"""`…further than the Chakrabarti recommendations` is prose; `…further than this room` and
one with a colon or a dash after it are not (adversary helper 152)."""
"""What a rule about data says not to share (`Please don't share membership data by email`:
honest user helper 148)."""
SAYS = Caseless(
    rf"\b(?:not{GAP}(?:f(?:or|ro)|to{GAP}be){GAP}(?:publication|published|circulation|circulated|shared)"
    rf"|not{GAP}f(?:or|ro){GAP}(?:(?:public|wider|general|onward){GAP})?(?:release|distribution"
    rf"|circulation|consumption|transmission|disclosure)"
    rf"|(?=don)(?:(?<!\bwe )(?<!\bthey )(?<!\bwho )(?<!ministers )"  # a statement (`Ministers
    # don't…`); `(?=don)` first: `LABEL_AFTER` read every sentence to its end at each word,
    # and adversary helper 157's paragraph of 32,000 words took two minutes
    rf"|(?=don[’'`]?t{GAP}\w+{GAP}(?:this|it|that|these|those|them|the{GAP}(?:following|next"
    rf"|rest|names|minutes)|what{GAP}follows|any(?:thing)?|below)\b){LABEL_AFTER})"
    rf"don[’'`]?t{GAP}(?:publish|circulate|share)(?!{GAP}(?:your|their|his|her|our|personal"
    rf"|passwords?|logins?|ballot|screenshots?|links?|the{GAP}link|photos?|pictures?{DATA})\b"
    rf"(?![^\n.!?]*[:–—]))(?!{OPINION}(?![^\n.!?]*[:–—]))|(?:privileged|private){GAP}(?:and|&)"
    rf"{GAP}confidential|commercial(?:ly)?{GAP}in{GAP}confidence"
    rf"|must{GAP}not{GAP}be{GAP}(?:published|shared|circulated|made{GAP}public)"
    rf"|for{GAP}internal{GAP}use{GAP}only"
    rf"|do{GAP}not{GAP}(?:publish|circulate)(?!{GAP}(?:your|their|his|her|our|personal"
    rf"|passwords?|logins?|ballot|screenshots?|links?|the{GAP}link|photos?|pictures?)\b)|strictly{GAP}(?:confidential|private)"
    rf"|(?:the{GAP}following(?:{GAP}{PARTS})?|what{GAP}(?:follows|comes{GAP}next)"
    rf"|(?:this|the){GAP}next(?:{GAP}{PARTS})?|(?:this|that|these|those){GAP}{PARTS}"
    rf"|the{GAP}rest(?:{GAP}of{GAP}(?:this|the|that|my)(?:{GAP}(?:{PARTS}|report))?)?"
    rf"|all{GAP}(?:that{GAP})?(?:follows|below)|everything{GAP}(?:(?:else{GAP})?below"
    rf"|(?:that{GAP})?follows|(?:after|from|beyond){GAP}(?:this|here)(?:{GAP}on)?))"
    rf"{GAP}(?:(?:is|are|was|were)(?:{GAP}not{GAP}to{GAP}be)?|(?:should|must|may){GAP}not{GAP}be"
    rf"|can[’']?t{GAP}be|cannot{GAP}be){GAP}(?:(?:strictly|also|all){GAP})?(?:confidential|private"
    rf"|secret|embargoed|off{GAP}the{GAP}record|not{GAP}(?:yet{GAP})?(?:public|for{GAP}publication)"
    rf"|(?:given{GAP})?in{GAP}confidence(?!-\w)|shared|published|reported|repeated|made{GAP}public"
    rf"|(?:for{GAP})?members[’'`]?{GAP}only|for[ \t]+members(?=[ \t]*(?:[.!;:)\]—–-]|$)))"
    rf"|only{GAP}(?:you|members){GAP}(?:should|may|can|are{GAP}to){GAP}(?:read|see|know|hear)"
    rf"{GAP}(?:this|the{GAP}following)|(?:asked|told|agreed){GAP}(?:(?:us|me){GAP})?(?:to{GAP}"
    rf"keep{GAP}(?:(?:this|it|that){GAP})?(?:confidential|private|secret|quiet)|not{GAP}to{GAP}"
    rf"(?:share|publish|report|repeat|disclose|circulate))|(?:can[’']?t|cannot){GAP}(?:report"
    rf"|publish|share){GAP}(?:this|it|that){GAP}publicly|(?:but|and){GAP}(?:this|that)"
    rf"(?:[’']s|{GAP}is){GAP}(?:strictly{GAP})?(?:confidential|private|secret|members{GAP}only)"
    rf"|(?:must|should|has{GAP}to|needs{GAP}to){GAP}"
    rf"(?:stay|remain){GAP}(?:in{GAP}(?:the|this){GAP}room|between{GAP}us)|members[’'`]?{GAP}only{GAP}(?:content|material|business|items?"
    rf"|information|section){GAP}(?:below|follows)"
    rf"|(?:(?<![\w,] )(?:this|that|all{GAP}of{GAP}this|the{GAP}above)|,{GAP}which)"
    rf"{GAP}(?:is|are){GAP}"
    rf"(?:strictly{GAP})?(?:confidential|private|(?:for{GAP})?members[’'`]?{GAP}only)"
    r"(?=[ \t]*(?:[.!;)\]]|$))"
    rf"|(?:that|this|it){GAP}(?:stays|remains)"
    rf"{GAP}between{GAP}(?:us|ourselves)|don[’']?t{GAP}tell{GAP}anyone|you{GAP}didn[’']?t{GAP}"
    rf"hear{GAP}(?:it|this|that){GAP}from{GAP}me|(?:mustn[’']?t|must{GAP}not|shouldn[’']?t"
    rf"|should{GAP}not|can[’']?t|cannot){GAP}go{GAP}(?:on{GAP}(?:the{GAP})?(?:website|site"
    rf"|blog|internet)|online|(?:any{GAP})?further{NOT_THE_ROOM}|beyond{GAP}(?:the|this){GAP}(?:room|committee"
    rf"|meeting|nec))|not{GAP}to{GAP}go{GAP}(?:any{GAP})?further{NOT_THE_ROOM}|(?:mustn[’']?t|must{GAP}not"
    rf"|shouldn[’']?t|should{GAP}not|is{GAP}not{GAP}to|isn[’']t{GAP}to){GAP}leave{GAP}(?:the|this)"
    rf"{GAP}room"
    rf"|(?:please{GAP})?(?:don[’']?t|do{GAP}not){GAP}(?:post|tweet){GAP}(?:this|it|that)"
    rf"|please{GAP}don[’']?t{GAP}(?:(?:post|tweet|share){GAP}(?:this|it|that)"
    rf"|(?:post|tweet)(?=[ \t]*(?:[.!;)\]]|$)))"
    rf"|(?<![\w,] )(?:it|this|that|this{GAP}{PARTS})(?:[’']s|{GAP}is|{GAP}remains"
    rf"|{GAP}(?:must|should)"
    rf"{GAP}(?:stay|remain))(?:{GAP}(?:still|all|strictly))?{GAP}(?:confidential|secret|private"
    rf"|embargoed|off{GAP}the{GAP}record|(?:just{GAP})?for{GAP}members|not{GAP}(?:yet{GAP})?public"
    rf"(?:{GAP}yet)?|members{GAP}only)(?=[ \t]*(?:[.!;)\]]|$))|(?<![\w,] )(?:this|it)"
    rf"(?:{GAP}is{GAP}not|{GAP}isn[’']t|[’']s{GAP}not)"
    rf"{GAP}(?:yet{GAP})?public(?:{GAP}yet)?(?=[ \t]*(?:[.!;)\]]|$))"
    rf"|(?<!not )(?<!n't )(?<!n’t )"  # not `I will not keep this quiet`
    rf"(?:please{GAP})?keep{GAP}(?:this|it|that){GAP}(?:quiet|under"
    rf"{GAP}wraps|to{GAP}yoursel(?:f|ves))|(?:this|it|that){GAP}(?:should|shall)(?:{GAP}not|n[’']?t)"
    rf"{GAP}be{GAP}(?:published|shared|circulated|made{GAP}public)|(?:can[’']?t|cannot){GAP}say"
    rf"{GAP}(?:this|it|that|more|much){GAP}publicly|(?:not|(?:was|were|is|are)n[’']?t){GAP}supposed{GAP}to{GAP}(?:tell|share|say)"
    rf"|,{GAP}(?:strictly{GAP})?(?:confidential|members{GAP}only)(?:{GAP}for{GAP}now)?(?=[ \t]*,)"
    rf"|(?:todo|fixme|xxx|tbc)\b[^\w\n]*(?:remove|delete|omit|cut|take{GAP}out|leave{GAP}out"
    rf"|redact|anonymi[sz]e|hide)|(?<![\w,] )(?:remove|delete|omit|cut|take{GAP}out|leave{GAP}out"
    rf"|anonymi[sz]e|redact)(?:{GAP}[\w'’]+){{0,4}}?{GAP}before{GAP}(?:publi\w*|post\w*|send\w*|shar\w*|it{GAP}goes)"
    rf"|keep{GAP}(?:(?:this|it|that|them|names?){GAP})?off{GAP}(?:the{GAP})?(?:website|site|web"
    rf"|blog|internet|feed|record|socials?|social{GAP}media)|take{GAP}(?:this|it)(?:{GAP}bit)?"
    rf"{GAP}out(?=[ \t]*(?:[.!)\]]|$|{GAP}(?:before|of{GAP}the{GAP}(?:public|web))))"
    rf"|(?:leave|keep){GAP}(?:this|it)(?:{GAP}bit)?{GAP}out{GAP}of{GAP}(?:the{GAP})?(?:website|web"
    rf"|public|blog|newsletter|report)|(?:\bis{GAP}(?:this|it){GAP}|\bif{GAP})?ok(?:ay)?{GAP}to"
    rf"{GAP}(?:publish|share|post|say|include)(?:{GAP}(?:this|it))?(?={GAP}\?)"
    rf"|(?:ok|okay)?{GAP}(?:if|whether){GAP}(?:this|it){GAP}(?:is|can{GAP}go){GAP}public"
    rf"|check{GAP}if{GAP}ok(?:ay)?{GAP}to{GAP}publish|can{GAP}we{GAP}say{GAP}this(?={GAP}\?)"
    rf"|for{GAP}(?:members|you{GAP}lot),?{GAP}not{GAP}(?:for{GAP})?the{GAP}public"
    rf"|(?:told|said|shared|confided|briefed)(?:{GAP}(?:to{GAP})?(?:us|me|the{GAP}nec|members))?"
    rf"(?:{GAP}this)?,?"  # `told us, in confidence, that` (adversary helper 154)
    rf"{GAP}in{GAP}(?:strict(?:est)?{GAP})?confidence(?!-\w)|(?:please{GAP})?(?:don[’'`]?t|do{GAP}not)"
    rf"{GAP}(?:leak|spread)(?:{GAP}(?:this|it))?|(?:don[’'`]?t|do{GAP}not){GAP}put{GAP}(?:this"
    rf"|it)(?:{GAP}bit)?{GAP}(?:online|(?:in|on){GAP}the{GAP}(?:public|website|site|blog|feed))"
    rf"|i{GAP}(?:(?:probably|perhaps|maybe|really){GAP})?(?:shouldn[’']?t|should{GAP}not){GAP}"
    rf"(?:really{GAP})?(?:say|tell|share|put|write)"
    rf"|(?:don[’'`]?t|do{GAP}not){GAP}tell{GAP}the{GAP}(?:press|media)"
    rf")\b|[🔒🔐🤫㊙🙊🤐🔏🙈🫢🫣]"  # a lock, a hush, 秘, a zip: saying it is secret
)
"""Words that say what they are in is withheld, wherever they are (also wrapped)."""
QUALIFIED = (
    r"(?:(?:also|still|likewise|and|but|again|see|please|strictly|highly|commercially|politically"
    r"|market|very|most|nb|streng|extremely|totally|completely|absolutely|entirely|wholly|deeply"
    r"|super|currently|legally|once[ \t]+again|for(?:[ \t]+(?:party|labour))?)[ \t]+"
    r"|(?:semi|quasi|nec|party|labour|clp)[ \t-]+)?"
)
"""Words before a label that keep it one (`Highly confidential:`, `For members only:`)."""
LABELS = (
    rf"(?:{QUALIFIED}(?:confidential|(?:[\w'’-]+[ \t]+){{0,2}}(?:member|mbr|memb\.?|mem)[’'`]?s?"
    r"(?:[ \t]*(?:&|and|/)[ \t]*(?:supporters|affiliates))?"
    r"[’'`]?[ -]?only)"
    r"|cyfrinachol|embargoed|(?:personal|private)[ \t]*(?:and|&)[ \t]*confidential"
    r"|(?:please[ \t]+)?(?:treat|keep|handle|hold|regard)[ \t]+(?:(?:this|it|these|as|in|strictly)"
    r"[ \t]+){0,2}(?:confidential|private)"
    r"|only[ \t]+(?:for[ \t]+)?(?:party[ \t]+)?members"
    r"|members[’'`]?[ \t]+(?:section|business|area|items?|session|part|matters?|notes?|updates?"
    r"|briefings?|information|email|version|bits?|copy|stuff)"
    r"|members[ \t]*\(only(?=\))|members[’'`]?[ \t]+private[ \t]+(?:briefing|session|business)"
    r"|(?:[\w'’]+[ \t]+){0,3}eyes[ \t]+only"
    r"|(?:i[ \t]+)?aelodau(?:[ \t]+yn|[’']n)[ \t]+unig|(?:yn[ \t]+)?gyfrinachol"
    r"|(?:dim[ \t]+ond[ \t]+i|ar[ \t]+gyfer)[ \t]+aelodau(?:[ \t]+yn[ \t]+unig)?"
    r"|preifat[ \t]+a[ \t]+chyfrinachol)"
)
NOUNS = (
    r"(?:items?|matters?|minutes?|papers?|information|details|sections?|parts?|discussions?"
    r"|annex(?:es)?|appendix|appendices|briefings?|business|reports?|notes?|sessions?|updates?"
    r"|materials?|correspondence|advice|cases?|documents?|submissions?|comments?|remarks?"
    r"|please|pls|plz|bits?|stuff)"
)
"""What a label may name (`Confidential annex:`, `## Confidential items`; adversary helper 75)."""
NAMED = rf"[ \t]+(?:(?-i:[A-Z]{{2,6}})[ \t]+)?{NOUNS}(?:[ \t]+\d+[a-z]?)?"
"""What a label names, with a body's initials or a number (`Confidential NEC update:`,
`Confidential item 4:`; adversary helper 88)."""
REASON = (
    rf"[ \t]+(?:pending|per|for|at|by|under|{UNTIL}|on|as[ \t]+of)[ \t]{WHEN}"
    r"(?=[ \t]*(?:[:–—)\]]|-[ \t]|$))"
)
"""Why or how long, after a label that ends in a colon or a dash (`Confidential per NEC:`,
`Confidential pending appeal –`, `Secret for now:`; adversary helper 79)."""
AFTER = (
    rf"(?:(?:{NAMED}|[ \t]+(?:follows|{UNTIL}[ \t]{WHEN}|to[ \t]+the[ \t]+\w+))(?:[ \t]+follows)?"
    rf"|{REASON})?"
)
"""Words after a label that keep it one (`Confidential item:`, `Confidential until 2027:`)."""
STRICT = (
    r"(?:private|(?:top[ \t]+)?secret|in[ \t]+(?:strict(?:est)?[ \t]+)?confidence"
    r"|off[ \t-]+(?:the[ \t-]+)?record"
    r"|conf\.|confid\.?|confdl\.?|conf(?=[ \t]*[:–—](?![ \t]*\d{1,2}(?:[–-]\d{1,2})?[ \t]+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))|[ \t]+-)|restricted|in[ \t]+camera"
    r"|non[ \t-]?public"
    r"|not[ \t]+(?:for[ \t]+the[ \t]+)?(?:public|website)|unpublished"
    r"|(?:under[ \t]+)?(?:the[ \t]+)?chatham[ \t]+house(?:[ \t]+rules?)?"
    r"|not[ \t]+yet[ \t]+(?:announced|public|published|released)|official[ \t-]*sensitive"
    r"|(?:do[ \t]+not|don[’'`]?t)[ \t]+name(?:[ \t]+(?:him|her|them|me|names?|anyone))?"
    r"|not[ \t]+to[ \t]+be[ \t]+named|keep[ \t]+(?:(?:me|him|her|them|it|this|names?)[ \t]+)?"
    r"anonymous|anonymous[ \t]+please"
    r"|dnp|conf(?=[ \t]*\))|mbrs(?=[ \t]*\))|unofficial(?:ly)?|not[ \t]+official(?:[ \t]+yet)?"
    r"|(?:delete|remove|cut|take[ \t]+out)(?:[ \t]+(?:this|it))?|keep[ \t]+(?:it[ \t]+)?sc?htum"
    r"|mum[’']?s[ \t]+the[ \t]+word|(?:anonymi[sz]e|pseudonymi[sz]e|blank[ \t]+out)(?:[ \t]+"
    r"(?:this|it|names?|him|her|them))?|redact[ \t]+(?:names?|him|her|them)|not[ \t]+for[ \t]+"
    r"(?:the[ \t]+)?(?:blog|newsletter|report(?:[ \t-]+back)?|(?:clp[ \t]+)?(?:newsletter|email)"
    r"|public[ \t]+(?:version|report))"
    r"|(?:do[ \t]+not|don[’'`]?t)[ \t]+(?:forward|disclose|share|circulate|publish|distribute"
    r"|report|copy|repeat|quote|send|post|leak)(?:[ \t]+(?:this|it|these))?(?:[ \t]+yet)?"
    r"(?:[ \t]+(?:outside|beyond|with)[ \t]+[\w'’ \t]{1,30}?)?"
    r"|(?:legally[ \t]+)?privileged|(?:limited|restricted)[ \t]+(?:circulation|distribution)"
    r"|exempt(?:[ \t]+(?:items?|business|information))?|under[ \t]+wraps"
    rf"|hold[ \t]+(?:{UNTIL}|to)[ \t]{WHEN}|not[ \t]+until[ \t]+announced"
    r"|in[ \t]+private|(?:in[ \t]+)?(?:private|closed)[ \t]+(?:session|meeting|business)"
    r"|for[ \t]+(?:(?:party|nec)[ \t]+)?members[’'`]?s?[’'`]?[ \t]+eyes"
    r"|exclusive(?:ly)?[ \t]+(?:to|for)[ \t]+(?:(?:the|party|nec)[ \t]+)?members"
    r"|(?:under[ \t]+(?:an?[ \t]+)?)?nda|s+hh+|psst|cnfdntl|comrades[ \t-]+only"
    r"|mark[ \t]+(?:this[ \t]+)?as[ \t]+(?:confidential|members[ \t-]+only|private)"
    r"|redact(?:[ \t]+this)?"
    r"|needs[ \t]+redact(?:ing|ion)|delete[ \t]+this|leave[ \t]+(?:this|it)[ \t]+out"
    r"|omit(?:[ \t]+this)?"
    r"|(?:for[ \t]+the[ \t]+)?members[’']?[ \t]+(?:digest|email)|email[ \t]+version[ \t]+only"
    r"|(?:not|skip)[ \t]+in[ \t]+(?:the[ \t]+)?public[ \t]+(?:version|report)"
    r"|closed[ \t]+(?:items?|business|matters?|discussions?|minutes?)|unminuted|privad[oa]"
    r"|verbal(?:[ \t]+(?:update|report|briefing))?[ \t]+only"
    r"|nicht[ \t]+(?:ö|oe)ffentlich(?:e[rs]?)?|non[ \t-]?disclos(?:able|ed|ure)|hush"
    r"|part[ \t]+(?:ii|2|b)[ \t]+(?:business|items?)"
    rf"|embargo(?:ed)?[ \t]+(?:{UNTIL}|to)[ \t]{WHEN}"
    r"|gizli|গোপনীয়|fortrolig[et]?|confidenziale|embargoed|(?:members[’']?[ \t]+)?(?:email|digest"
    r"|version)[ \t]+only|cyfrinachol[ \t]+(?:iawn|dros[ \t]+ben)|hollol[ \t]+gyfrinachol"
    r"|nid[ \t]+(?:i[’']w[ \t]+gyhoeddi|ar[ \t]+gyfer[ \t]+cyhoeddi)|dan[ \t]+embargo|r[ùu]nach"
    r"|pr[ìíi]obh[áa]?idea?ch|do[ \t]+bhuill[ \t]+a-mh[àa]in|baill[ \t]+amh[áa]in"
    r"|nae[ \t]+for[ \t]+publication|mewn[ \t]+cyfrinachedd|(?:given|told|said)[ \t]+in"
    r"[ \t]+confidence|in[ \t]+conf\.?|(?:under|subject[ \t]+to)[ \t]+(?:[\w'’]+[ \t]+)?"
    r"confidentiality|unattributable|background[ \t]+only|fyeo|nfd|priv(?:ate)?[ \t]*(?:&|and)"
    r"[ \t]*conf(?:idential)?\.?|p[ \t]*&[ \t]*c|keep[ \t]+(?:this|it)[ \t]+quiet|priv\.?|pvt\.?"
    r"|n/f/p|not[ \t]+4[ \t]+pub\w*|(?:remove|delete|omit|cut|leave[ \t]+out)[ \t]+(?:this"
    r"(?:[ \t]+bit)?[ \t]+)?(?:before[ \t]+(?:publish|post)\w*|(?:from|of)[ \t]+(?:the[ \t]+)?"
    r"(?:public[ \t]+)?(?:website|site|report|version))|remove[ \t]+this[ \t]+bit"
    r"|confi|cnf|conf[’']l|p[ \t]*\+[ \t]*c|c[ \t]*&[ \t]*p|n\.f\.p\.?|hush[ \t]+hush"
    r"|entre[ \t]+nous|not[ \t]+minuted|hidden|in[ \t-]+house[ \t]+only|members[’']?[ \t]+copy"
    r"|internal[ \t]+party[ \t]+matters?|chatham[ \t]+house[ \t]+rules?[ \t]+appl(?:y|ies)"
    r"|peidiwch[ \t]+(?:â|a)[ \t]+(?:ch)?chyhoeddi|mewn[ \t]+cyfrinach|d[ìi]omhair"
    r"|faoi[ \t]+r[úu]n|do[ \t]+bhaill[ \t]+amh[áa]in|n[áa][ \t]+foilsigh|(?:[śs]ci[śs]le[ \t]+)?"
    r"tajne|tylko[ \t]+dla[ \t]+cz[łl]onk[óo]w|nie[ \t]+do[ \t]+publikacji|prywatne"
    r"|zastrze[żz]one|صرف[ \t]+اراکین[ \t]+کے[ \t]+لیے|رازدارانہ|ਗੁਪਤ|ਸਿਰਫ਼[ \t]+ਮੈਂਬਰਾਂ[ \t]+ਲਈ"
    r"|ગુપ્ત|s[óo]lo[ \t]+socios|riservato[ \t]+ai[ \t]+soci|d[ůu]v[ěe]rn[ée]|privat|机密"
    r"|not[ \t]+in[ \t]+the"
    r"[ \t]+public[ \t]+version|(?:don[’']?t|do[ \t]+not)[ \t]+put[ \t]+(?:this[ \t]+|it[ \t]+)?"
    r"(?:on|in)[ \t]+the[ \t]+(?:website|site|blog|feed)|(?:todo|fixme|tbc)\b[^\w\n]*(?:make"
    r"[ \t]+|mark[ \t]+)?(?:(?:this|it)[ \t]+)?(?:as[ \t]+)?(?:confidential|members[ \t-]+only"
    r"|private|secret)"
    r"|vertraulich|confidentiel(?:le)?|confidencial|vertrouwelijk|riservat(?:issim)?[oa]|cyfrinach"
    r"|nur[ \t]+(?:(?:f(?:ü|ue)r[ \t]+)?mitglieder|intern|f(?:ü|ue)r[ \t]+den[ \t]+"
    r"dienstgebrauch)"
    r"|r[ée]serv[ée][ \t]+aux[ \t]+(?:membres|adh[ée]rents)|poufne|tajne"
    r"|(?:solo[ \t]+para[ \t]+(?:los[ \t]+)?|s[oó]lo[ \t]+)miembros|sigiloso|конфиденциально"
    r"|rúnda|dìomhair|classified|sensitive|redacted|under[ \t]+embargo|between[ \t]+ourselves"
    r"|restricted[ \t]+to[ \t]+(?:party[ \t]+)?members|preifat|konfidentiell?t?|خفیہ|withheld"
    r"|geheim|priv[ée]|internal(?:[ \t]+only)?|reserved(?:[ \t]+business)?(?![ \t]+matters?)"
    r"|(?:[\w'’]+[ \t]+){1,2}yn[ \t]+unig"
    r"|(?:nec|officers?|officials?|staff|committee|panel|trustees?|councillors?|delegates?"
    r"|executive|leadership|organisers?|secretar(?:y|ies)|chairs?|party(?:[ \t]+use)?|exec|gc"
    r"|ec|branch(?:[ \t]+officers)?|affiliates|reps"
    r"|clp(?:[ \t]+officers)?|internal[ \t]+(?:circulation|use))[ \t-]+only"
    r"|for[ \t]+(?:the[ \t]+)?(?:nec|officers|staff|committee|panel|executive|clps)[ \t]+only"
    r"|buill[ \t]+a-mh(?:à|a)in|nfp|p&c|otr|sub[ \t]+judice"
    r"|embargo(?![ \t]+(?:on|against)[ \t]+(?:arms|trade|sales|exports|imports|goods|oil|gas"
    r"|weapons)\b)"
    r"|(?:on[ \t]+)?lobby[ \t]+terms"
    r"|not[ \t]+(?:yet[ \t]+)?(?:f(?:or|ro)|to[ \t]+be)[ \t]+(?:(?:the|wider|general|made|members"
    r"|of)[ \t]+)*(?:press|public|publication|published|circulation|circulated|distribution"
    r"|distributed|release|released|disclosure|disclosed|minuting|minuted|minutes|attribution"
    r"|shared|sharing|social[ \t]+media)|not[ \t]+public[ \t]+yet|non[ \t-]?attributable"
    r"|off[ \t-]+(?:the[ \t-]+)?minutes?|private[ \t]+(?:and|&)[ \t]+personal"
    r"|(?:(?:strictly|just)[ \t]+)?between[ \t]+(?:us|you[ \t]+and[ \t]+me)"
    r"|(?:keep[ \t]+)?(?:this|it)[ \t]+(?:stays[ \t]+)?(?:between[ \t]+us|in[ \t]+the[ \t]+room)"
    r"|(?:please[ \t]+)?keep[ \t]+(?:this[ \t]+|it[ \t]+)?to[ \t]+yourselves|comrades[ \t]+only"
    r"|usage[ \t]+interne|membres[ \t]+seulement|ne[ \t]+pas[ \t]+(?:diffuser|publier)"
    r"|alleen[ \t]+voor[ \t]+leden"
    r"|tylko[ \t]+dla[ \t]+członków|سري|गोपनीय|d?dim[ \t]+i[’']w[ \t]+gyhoeddi)"
)
"""Labels only with a colon or a dash after them (`Private:`, `In confidence –`, `Conf.:`,
`Restricted:`, `In camera:`, `Vertraulich:`), being words of everyday text too."""
DASH = r"(?:(?<!\w)-|-(?!\w))"
"""A dash; not a hyphen joining two words (`private-sector`, `secret-ballot`: adversary helper
98)."""
ENDS = rf"(?:[^\w\s'’\"“”-]|{DASH}|_)"
"""What ends a label that starts a line: a colon, a dash, a bracket, a stop, a symbol
(`CONFIDENTIAL ★`, `Confidential 🔒`); not a quote."""
NUMBER = (
    r"(?:(?:\d+|[a-z])[.)]|\(\d+\)|(?i:(?:agenda[ \t]+)?item[ \t]+)?\d+[a-z]?|(?i:aob|any[ \t]+"
    r"other[ \t]+business))[ \t]+"
)
"""A numbered item's marker or an agenda item's number: `1. `, `1) `, `a. `, `(1) `, `4 `,
`Item 4 ` (adversary helper 76: `Item 4 Confidential: …`)."""
LEAD = r"(?:(?:[\w'’(),]+[ \t]+){0,9}[\w'’(),]+[ \t]*(?:[:–—(\[>→»|~/,·]|[ \t]-)[^\w\n]*){1,3}"
"""Up to ten words (commas and brackets too) and a colon, dash, comma or other separator
before a label, up to three times: `Fine print: `, `Item 4 – `, `Item 4 on the agenda of
the day - `, `Item 4 (Disputes, second complaint) – `, `Re: item 4: `, `Item 4 → `; a
square bracket or an angle too (`The panel met [Confidential: …]`, `Public >Confidential: …`;
adversary helper 84). Not emphasis: `The **confidential** reporting line` is a sentence."""
AFTER_LEAD = rf"[^\w\n]*?(?:[:–—(_]|{DASH}|[^\w\s'’\"“”.,;!?|-])"
"""What ends a label after a lead-in: a colon, dash or bracket, or a symbol (`⚠`); not a
stop (`Vote: members only.`), nor a table's pipe."""
FOR_MEMBERS = (
    r"(?:(?:also|just|only|strictly)[ \t]+)?for[ \t]+(?:(?:the|party|nec|labour)[ \t]+)?members"
)
"""`For members`: a label with a colon or a dash after it, or as a heading's last words, not
before a comma (`For members, the social is free.`)."""
LINE_ONLY = (
    rf"(?:members[’'`]?(?![^\w\n]*[:–—-][ \t]*[\d£$€])|{FOR_MEMBERS}"
    rf"|not[ \t]+(?:yet[ \t]+)?(?:f(?:or|ro)|to[ \t]+be)(?![ \t]+(?:profit|sale|long|want"
    rf"|turning|decision|nothing)\b)(?:[ \t]+[\w'’]+){{1,3}})"
)
"""Labels only with a colon or a dash after them at a line's start, not as a heading's words
(`Members:`, `Not to be made public:`, `Not for the press –`; `## Not for profit bodies`)."""
IN_CAPS = (
    r"(?:CONFIDENTIAL|(?:NEC )?MEMBERS?[’']?S?[’']?[ -]ONLY|NOT FOR PUBLICATION|IN CONFIDENCE"
    r"|EMBARGOED|CYFRINACHOL|PRIVATE(?: SESSION)?|(?:TOP )?SECRET|OFF THE RECORD|RESTRICTED"
    r"|IN CAMERA|OFFICIAL[ -]SENSITIVE)"
)
"""Labels in capitals: a label however it stands (`CONFIDENTIAL The panel …`,
`## Disputes CONFIDENTIAL`)."""
ENDING = re.compile(
    rf"(?:[–—(\[|/·→»~]|[ \t]-)[ \t]*(?:{LABELS}|{QUALIFIED}{STRICT}|{FOR_MEMBERS})"
    rf"(?:[ \t]+(?:for[ \t]+now|until[ \t]{WHEN}))?[ \t]*(?:[)\]][ \t]*[.!]?|[.!][ \t]*[)\]]?)?"
    rf"[ \t]*$"
    rf"|[ \t](?-i:{IN_CAPS})[ \t]*[.!]?[ \t]*$",
    re.I,
)
"""A label after a dash, a bracket or a slash at a line's or a sentence's end (`The panel
expelled Jo – confidential`, `… — members only!`, `… – not public yet.`; adversary helper
82); not after a colon (`Vote: members only.`)."""
MIDDLE = re.compile(
    r"(?<![\w'’-])(?<!\bnot )(?<!n't )(?<!n’t )(?:confidential|members?[ -]only"
    r"|in confidence|embargoed)[)\]*_]*[ \t]*(?::|[–—―‒−;|/→>•~…]|\.\.\.|[ \t]-)[ \t]*"
    r"(?=[*_\[(“\"'‘]*(?-i:(?!(?:I|The|This|That|These|Those|It|Its|We|They|She|He|You|Our"
    r"|Their|My|Your|A|An|In|On|At|But|And|Or|Yes|No|As|So|If|There|Here|What|When|Where|Which"
    r"|Who|Why|How|All|Some|Any|Each|Every|None|Nothing|One|Only)\b)[A-Z]))",
    re.I,
)
"""A label inside a sentence, with a name after a colon or a dash: what it labels (`The
panel heard the case members only: Jo …`, `… was confidential – Jo …`; adversary helpers
118, 119). Not a sentence that explains (`… are kept confidential: it protects …`, `… open
to members only – non-members may watch`, `… in confidence: I never pass on names`): helper
126 found ~35 such refused by a first version."""
STARTS = re.compile(
    rf"^(?:[^\w\n]|_)*(?:{NUMBER}(?:[^\w\n]|_)*)?(?:{LABELS}{AFTER}(?:\b|(?=_))[^\w\n]*?(?:{ENDS}|$)"
    rf"|{QUALIFIED}{STRICT}(?:{NAMED}|{REASON})?[^\w\n]*?(?:[:–—]|{DASH})"
    rf"|{LINE_ONLY}[^\w\n]*?(?:[:–—]|-(?!\w))"
    rf"|{QUALIFIED}confidentially\b|(?:(?:strictly|just)[ \t]+)?(?:between[ \t]+(?:ourselves"
    r"|you[ \t]+and[ \t]+me)|in[ \t]+(?:strict(?:est)?[ \t]+)?confidence"
    r"|off[ \t-]+the[ \t-]+record)[^\w\n]*?[,:–—-]"
    rf"|{LEAD}(?:{LABELS}{AFTER}(?:\b|(?=_)){AFTER_LEAD}"
    rf"|{QUALIFIED}confidential\b[^\w\n]*?\.|(?:{STRICT}(?:{NAMED}|{REASON})?|{LINE_ONLY})"
    r"[^\w\n]*?[:–—])"
    rf"|(?:[\w'’-]+[ \t]+){{1,3}}(?<!\bnot )(?<!n't )(?<!n’t )"  # not `It is not confidential:`
    rf"(?:confidential|embargoed|(?-i:{IN_CAPS}))[^\w\n]*?[:–—])",
    re.I,
)
"""A line (or a value) that starts by saying it is withheld: `CONFIDENTIAL – …`,
`Confidential: …`, `*CONFIDENTIAL*: …`, `Members only (…)`, `Cyfrinachol – …`, `(Confidential)
…`, the label alone, also as a numbered item (`1. Confidential: …`) or after a short lead-in
(`Fine print: Members only (…)`, `Item 4 – Confidential: …`; not `Vote: members only.`)."""
ALONE = Caseless(rf"^[^\w\n]*{QUALIFIED}{STRICT}[^\w\n]*$")
"""A value or a sentence that is a label and nothing else (`tags: [private]`, `In camera.`;
adversary helper 79)."""
HEADING = re.compile(
    rf"^[ \t]{{0,3}}#+[ \t]+(?:{QUALIFIED}confidential[ \t]+(?:(?-i:[A-Z]{{2,6}})[ \t]+)?{NOUNS}\b"
    rf"|.*[(\[][ \t]*m(?:em)?be?rs[ \t]*[)\]][ \t]*$"
    rf"|(?:(?:.*[–—:(\[|/,·→»~…•-][ \t]*|{NUMBER})?"
    rf"(?:{LABELS}{AFTER}|{QUALIFIED}{STRICT}|{FOR_MEMBERS}|conf\.?)|.*[ \t](?-i:{IN_CAPS}))"
    r"(?:\b|(?<=\.))[)\]*_.]*(?![ \t]*[^\W_])(?!-\w))",
    re.I,
)
"""A heading labelled withheld (`## Disputes panel – confidential`, `## Panel (confidential)`,
`## Confidential`), not one about confidentiality (`## Review of the confidential reporting
policy`, `## Update: confidential reporting`, `## Keeping complaints confidential`)."""
CAPS = re.compile(
    rf"^[^\w\n]*(?:{NUMBER})?(?:{LEAD})?(?:(?:STRICTLY|HIGHLY|PRIVATE (?:AND|&)) )?{IN_CAPS}"
    r"\b(?![’'])"
    r"(?![ \t]+(?!ITEM|MATTER|MINUTE|PAPER|NAMES)[A-Z]{2,}\b)"
)
"""A label in capitals starting a line, with nothing after it but the words it labels
(`CONFIDENTIAL The panel heard …`): the capitals say it is a label. Not a title in
capitals (`CONFIDENTIAL REPORTING LINE`)."""
