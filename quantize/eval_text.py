"""The built-in evaluation text: a few KB of public-domain English prose.

A fixed text makes results comparable across models and runs (every result records the text's sha256). The passages are
in the public domain (published before 1930, or United States government works): Lincoln's Gettysburg Address (1863),
the opening of Jane Austen's *Pride and Prejudice* (1813), the opening of Herman Melville's *Moby-Dick* (1851), the
second paragraph of the Declaration of Independence (1776) and the opening of Mark Twain's *The Adventures of Tom
Sawyer* (1876), typed out here; small deviations from the printed editions do not matter for measuring a model.
"""

from __future__ import annotations

import hashlib

_PASSAGES = (
    """\
Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and \
dedicated to the proposition that all men are created equal.

Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can \
long endure. We are met on a great battle-field of that war. We have come to dedicate a portion of that field, as a final \
resting place for those who here gave their lives that that nation might live. It is altogether fitting and proper that \
we should do this.

But, in a larger sense, we can not dedicate, we can not consecrate, we can not hallow this ground. The brave men, living \
and dead, who struggled here, have consecrated it, far above our poor power to add or detract. The world will little \
note, nor long remember what we say here, but it can never forget what they did here. It is for us the living, rather, \
to be dedicated here to the unfinished work which they who fought here have thus far so nobly advanced. It is rather for \
us to be here dedicated to the great task remaining before us, that from these honored dead we take increased devotion \
to that cause for which they gave the last full measure of devotion, that we here highly resolve that these dead shall \
not have died in vain, that this nation, under God, shall have a new birth of freedom, and that government of the \
people, by the people, for the people, shall not perish from the earth.
""",
    """\
It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.

However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so \
well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other \
of their daughters.

"My dear Mr. Bennet," said his lady to him one day, "have you heard that Netherfield Park is let at last?"

Mr. Bennet replied that he had not.

"But it is," returned she; "for Mrs. Long has just been here, and she told me all about it."

Mr. Bennet made no answer.

"Do you not want to know who has taken it?" cried his wife impatiently.

"You want to tell me, and I have no objection to hearing it."

This was invitation enough.

"Why, my dear, you must know, Mrs. Long says that Netherfield is taken by a young man of large fortune from the north of \
England; that he came down on Monday in a chaise and four to see the place, and was so much delighted with it, that he \
agreed with Mr. Morris immediately; that he is to take possession before Michaelmas, and some of his servants are to be \
in the house by the end of next week."

"What is his name?"

"Bingley."

"Is he married or single?"

"Oh! Single, my dear, to be sure! A single man of large fortune; four or five thousand a year. What a fine thing for our \
girls!"
""",
    """\
Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing \
particular to interest me on shore, I thought I would sail about a little and see the watery part of the world. It is a \
way I have of driving off the spleen and regulating the circulation. Whenever I find myself growing grim about the \
mouth; whenever it is a damp, drizzly November in my soul; whenever I find myself involuntarily pausing before coffin \
warehouses, and bringing up the rear of every funeral I meet; and especially whenever my hypos get such an upper hand \
of me, that it requires a strong moral principle to prevent me from deliberately stepping into the street, and \
methodically knocking people's hats off, then, I account it high time to get to sea as soon as I can. This is my \
substitute for pistol and ball. With a philosophical flourish Cato throws himself upon his sword; I quietly take to the \
ship. There is nothing surprising in this. If they but knew it, almost all men in their degree, some time or other, \
cherish very nearly the same feelings towards the ocean with me.
""",
    """\
We hold these truths to be self-evident, that all men are created equal, that they are endowed by their Creator with \
certain unalienable Rights, that among these are Life, Liberty and the pursuit of Happiness. That to secure these \
rights, Governments are instituted among Men, deriving their just powers from the consent of the governed. That \
whenever any Form of Government becomes destructive of these ends, it is the Right of the People to alter or to abolish \
it, and to institute new Government, laying its foundation on such principles and organizing its powers in such form, \
as to them shall seem most likely to effect their Safety and Happiness. Prudence, indeed, will dictate that \
Governments long established should not be changed for light and transient causes; and accordingly all experience hath \
shewn, that mankind are more disposed to suffer, while evils are sufferable, than to right themselves by abolishing the \
forms to which they are accustomed.
""",
    """\
"Tom!"

No answer.

"Tom!"

No answer.

"What's gone with that boy, I wonder? You Tom!"

No answer.

The old lady pulled her spectacles down and looked over them about the room; then she put them up and looked out under \
them. She seldom or never looked through them for so small a thing as a boy; they were her state pair, the pride of her \
heart, and were built for "style," not service; she could have seen through a pair of stove-lids just as well. She \
looked perplexed for a moment, and then said, not fiercely, but still loud enough for the furniture to hear:

"Well, I lay if I get hold of you I'll..."

She did not finish, for by this time she was bending down and punching under the bed with the broom, and so she needed \
breath to punctuate the punches with. She resurrected nothing but the cat.
""",
)

EVAL_TEXT = "\n".join(_PASSAGES)
"""The default evaluation text (about 6 KB; roughly 1,300 tokens for a 250k-vocabulary tokenizer)."""


def text_sha256(text: str) -> str:
    """The sha256 of a text's UTF-8 bytes: results over different texts are not comparable."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
