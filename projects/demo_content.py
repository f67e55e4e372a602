"""Demo projects for a fresh dubweb: scripts in several languages, translated by hand.

Plain data, standard library only, deterministic: `demo_projects()` returns the same projects on every
call. Hand-written lines are timed by `_lay_out` (duration from the length of the source line, seeded
gaps); the keynote's timings come from projects/demo_keynote.json, written with the demo video by
`manage.py make_demo_video`; the feature film repeats a pool of lines until it is long.
"""

import json
import random
from dataclasses import dataclass
from pathlib import Path

KEYNOTE_JSON = Path(__file__).resolve().with_name("demo_keynote.json")

FIRST_LINE_MS = 1000
BASE_LINE_MS = 1000
MS_PER_CHAR = 55
MAX_LINE_MS = 7000
GAP_MS = (150, 900)
FILM_LINE_COUNT = 2500


@dataclass(frozen=True)
class DemoSpeaker:
    name: str
    style: str  # "masculine" or "feminine"


@dataclass(frozen=True)
class DemoLine:
    speaker: str  # a DemoSpeaker.name
    source: str
    target: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class DemoProject:
    title: str
    source_language: str
    target_language: str
    status: str  # "draft", "in_review", "approved", "dubbing" or "delivered"
    speakers: list[DemoSpeaker]
    lines: list[DemoLine]
    source_video_url: str = ""
    video_duration_ms: int | None = None


def _lay_out(rows, seed, ms_per_char=MS_PER_CHAR):
    """Time (speaker, source, target) rows one after another: longer lines last longer, gaps vary."""
    rng = random.Random(seed)
    lines = []
    start = FIRST_LINE_MS
    for speaker, source, target in rows:
        duration = min(MAX_LINE_MS, BASE_LINE_MS + ms_per_char * len(source))
        lines.append(DemoLine(speaker, source, target, start, start + duration))
        start += duration + rng.randint(*GAP_MS)
    return lines


# --- a. Product launch keynote (en-US → fr-FR): timings from the demo video -------------------------------


def _keynote():
    try:
        data = json.loads(KEYNOTE_JSON.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{KEYNOTE_JSON} is missing: run `DEBUG=1 python manage.py make_demo_video` to create it."
        ) from None
    speakers = []
    for line in data["lines"]:
        speaker = DemoSpeaker(line["speaker"], line["style"])
        if speaker not in speakers:
            speakers.append(speaker)
    lines = [
        DemoLine(line["speaker"], line["source"], line["target"], line["start_ms"], line["end_ms"])
        for line in data["lines"]
    ]
    return DemoProject(
        title="Product launch keynote",
        source_language="en-US",
        target_language="fr-FR",
        status="in_review",
        speakers=speakers,
        lines=lines,
        source_video_url=data["video"],
        video_duration_ms=data["duration_ms"],
    )


# --- b. Street food stories — ep. 3 (es-ES → en-US) -------------------------------------------------------

STREET_FOOD_SPEAKERS = [
    DemoSpeaker("Marta", "feminine"),
    DemoSpeaker("Chef Ruiz", "masculine"),
    DemoSpeaker("Lucía Ortega", "feminine"),
]

STREET_FOOD_ROWS = [
    (
        "Marta",
        "¡Buenos días! Bienvenidos a un nuevo episodio de Historias de comida callejera.",
        "Good morning! Welcome to a new episode of Street Food Stories.",
    ),
    (
        "Marta",
        "Hoy estamos en Madrid, muy cerca de la Plaza Mayor.",
        "Today we're in Madrid, right by the Plaza Mayor.",
    ),
    (
        "Marta",
        "Y me acompaña alguien que conoce cada rincón de esta ciudad.",
        "And I'm joined by someone who knows every corner of this city.",
    ),
    (
        "Chef Ruiz",
        "Gracias, Marta. Aquí aprendí a cocinar, en estas mismas calles.",
        "Thanks, Marta. This is where I learned to cook, on these very streets.",
    ),
    ("Marta", "¿Por dónde empezamos?", "Where do we start?"),
    (
        "Chef Ruiz",
        "Por lo más clásico: un bocadillo de calamares.",
        "With the great classic: a fried squid sandwich.",
    ),
    ("Marta", "¿Calamares en Madrid, tan lejos del mar?", "Squid in Madrid, so far from the sea?"),
    (
        "Chef Ruiz",
        "Parece raro, pero es una de nuestras tradiciones más queridas.",
        "It sounds strange, but it's one of our most beloved traditions.",
    ),
    (
        "Chef Ruiz",
        "El pescado llegaba en tren desde la costa, y aquí se freía al momento.",
        "The fish came in by train from the coast, and here it was fried on the spot.",
    ),
    ("Lucía Ortega", "¡Buenos días! ¿Qué os pongo?", "Morning! What can I get you?"),
    ("Chef Ruiz", "Dos bocadillos, Lucía, y bien calentitos.", "Two sandwiches, Lucía, nice and hot."),
    (
        "Lucía Ortega",
        "Marchando. El pan nos lo traen cada mañana de un horno del barrio.",
        "Coming right up. Our bread comes every morning from a bakery in the neighborhood.",
    ),
    ("Marta", "¿Cuál es el secreto de un buen rebozado?", "What's the secret to a good batter?"),
    (
        "Lucía Ortega",
        "Harina, un poco de sal y el aceite muy limpio. Nada más.",
        "Flour, a pinch of salt and really clean oil. That's it.",
    ),
    (
        "Lucía Ortega",
        "Y no hay que tener prisa: el calamar tiene que quedar tierno.",
        "And you can't rush it: the squid has to stay tender.",
    ),
    (
        "Marta",
        "Mmm… está crujiente por fuera y suavísimo por dentro.",
        "Mmm… it's crispy on the outside and so soft on the inside.",
    ),
    (
        "Chef Ruiz",
        "¿Lo ves? Hay quien le pone mayonesa, pero yo lo prefiero así, solo con limón.",
        "See? Some people add mayo, but I like it just like this, with only a squeeze of lemon.",
    ),
    (
        "Lucía Ortega",
        "Mi abuelo abrió este puesto en mil novecientos sesenta y dos.",
        "My grandfather opened this stand in nineteen sixty-two.",
    ),
    ("Marta", "¿Y ha cambiado mucho desde entonces?", "And has it changed much since then?"),
    ("Lucía Ortega", "Los precios, sí. La receta, nunca.", "The prices, yes. The recipe, never."),
    (
        "Marta",
        "Seguimos. El chef me ha prometido algo dulce.",
        "Let's keep going. The chef promised me something sweet.",
    ),
    (
        "Chef Ruiz",
        "No hay nada más madrileño que unos churros con chocolate.",
        "Nothing says Madrid like churros with hot chocolate.",
    ),
    ("Marta", "¿Pero eso no es para desayunar?", "But isn't that a breakfast thing?"),
    (
        "Chef Ruiz",
        "Para desayunar, para merendar y a las cinco de la mañana, al volver de fiesta.",
        "For breakfast, for an afternoon snack, and at five in the morning on your way home from a night out.",
    ),
    ("Marta", "Eso explica la cola que hay aquí fuera.", "That explains the line out here."),
    (
        "Chef Ruiz",
        "Fíjate en la masa: solo lleva agua, harina y sal.",
        "Look at the dough: it's just water, flour and salt.",
    ),
    (
        "Chef Ruiz",
        "La churrera la echa directamente al aceite, formando una espiral enorme.",
        "The churro maker pipes it straight into the oil in one huge spiral.",
    ),
    ("Marta", "¡Y luego la cortan con tijeras!", "And then they cut it with scissors!"),
    (
        "Chef Ruiz",
        "Exacto. Y el chocolate tiene que ser espeso, casi como unas natillas.",
        "Exactly. And the chocolate has to be thick, almost like a custard.",
    ),
    ("Marta", "Madre mía, la cuchara se queda de pie.", "Oh my goodness, the spoon stands up on its own."),
    ("Chef Ruiz", "Mójalo bien. Sin miedo.", "Dunk it in. Don't be shy."),
    (
        "Marta",
        "Creo que es lo mejor que he probado en toda la temporada.",
        "I think this is the best thing I've tasted all season.",
    ),
    ("Chef Ruiz", "Eso lo dices en todos los episodios.", "You say that every episode."),
    ("Marta", "¡Porque en todos los episodios es verdad!", "Because every episode, it's true!"),
    (
        "Marta",
        "Chef, ¿qué tiene la comida callejera que no tenga un restaurante?",
        "Chef, what does street food have that a restaurant doesn't?",
    ),
    (
        "Chef Ruiz",
        "La gente. Comes de pie, hablas con el de al lado, con quien te cocina.",
        "The people. You eat standing up, you talk to the person next to you, to whoever's cooking for you.",
    ),
    (
        "Chef Ruiz",
        "Un restaurante te sirve un plato. La calle te cuenta una historia.",
        "A restaurant serves you a dish. The street tells you a story.",
    ),
    (
        "Marta",
        "Me lo apunto para el título del próximo programa.",
        "I'm writing that down as the title of our next show.",
    ),
    (
        "Marta",
        "La semana que viene nos vamos a Cádiz, a por pescaíto frito.",
        "Next week we're heading to Cádiz for some fried fish.",
    ),
    ("Marta", "¡Hasta entonces, y que aproveche!", "See you then, and enjoy your meal!"),
]


# --- c. Northern lights documentary (en-GB → de-DE) -------------------------------------------------------

AURORA_SPEAKERS = [
    DemoSpeaker("Narrator", "masculine"),
    DemoSpeaker("Dr. Ingrid Sørensen", "feminine"),
]

AURORA_ROWS = [
    (
        "Narrator",
        "Far above the Arctic Circle, the winter night lasts for weeks.",
        "Weit nördlich des Polarkreises dauert die Winternacht wochenlang.",
    ),
    ("Narrator", "But the darkness here is rarely complete.", "Doch ganz dunkel wird es hier nur selten."),
    (
        "Narrator",
        "On clear nights, the sky begins to move.",
        "In klaren Nächten gerät der Himmel in Bewegung.",
    ),
    (
        "Narrator",
        "For centuries, people told stories to explain the lights.",
        "Jahrhundertelang erzählten sich die Menschen Geschichten, um die Lichter zu erklären.",
    ),
    (
        "Narrator",
        "Some saw the spirits of their ancestors. Others saw a warning.",
        "Manche sahen darin die Geister ihrer Ahnen, andere eine Warnung.",
    ),
    (
        "Narrator",
        "Today, scientists in Tromsø watch them with very different eyes.",
        "Heute betrachten Wissenschaftler in Tromsø sie mit ganz anderen Augen.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "What you are seeing is the sun, reaching all the way to our planet.",
        "Was Sie da sehen, ist die Sonne – sie reicht bis zu unserem Planeten.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "The sun constantly throws out charged particles. We call it the solar wind.",
        "Die Sonne schleudert ständig geladene Teilchen ins All. Wir nennen das Sonnenwind.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "Most of them never reach us. The Earth's magnetic field deflects them.",
        "Die meisten erreichen uns nie. Das Magnetfeld der Erde lenkt sie ab.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "But near the poles, some slip through and collide with the upper atmosphere.",
        "Aber in der Nähe der Pole schlüpfen einige hindurch und prallen auf die obere Atmosphäre.",
    ),
    (
        "Narrator",
        "Each collision releases a tiny flash of light.",
        "Jeder Zusammenstoß setzt einen winzigen Lichtblitz frei.",
    ),
    (
        "Narrator",
        "Billions of them, together, paint the sky.",
        "Milliarden solcher Blitze färben gemeinsam den Himmel.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "The green comes from oxygen, about a hundred kilometres up.",
        "Das Grün stammt vom Sauerstoff, in etwa hundert Kilometern Höhe.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "The rare deep reds are oxygen too, but much higher.",
        "Das seltene tiefe Rot kommt ebenfalls vom Sauerstoff, aber aus viel größerer Höhe.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "And the purple edges? That's nitrogen.",
        "Und die violetten Ränder? Das ist Stickstoff.",
    ),
    (
        "Narrator",
        "Dr Sørensen has spent twenty winters chasing the aurora.",
        "Dr. Sørensen hat zwanzig Winter damit verbracht, das Polarlicht zu jagen.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "I still get goosebumps. Every single time.",
        "Ich bekomme immer noch Gänsehaut. Jedes einzelne Mal.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "Tonight the forecast is good. There was a large eruption on the sun two days ago.",
        "Für heute Nacht ist die Vorhersage gut. Vor zwei Tagen gab es einen großen Ausbruch auf der Sonne.",
    ),
    (
        "Narrator",
        "The particles take one to three days to cross a hundred and fifty million kilometres.",
        "Die Teilchen brauchen ein bis drei Tage für die hundertfünfzig Millionen Kilometer.",
    ),
    (
        "Narrator",
        "At minus twenty-five degrees, the team sets up its cameras and waits.",
        "Bei minus fünfundzwanzig Grad baut das Team seine Kameras auf und wartet.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "Patience is the most important instrument we have.",
        "Geduld ist das wichtigste Instrument, das wir haben.",
    ),
    (
        "Narrator",
        "Just after midnight, a pale arc appears over the fjord.",
        "Kurz nach Mitternacht erscheint ein blasser Bogen über dem Fjord.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "There it is. Look to the north, just above the mountains.",
        "Da ist es. Schauen Sie nach Norden, direkt über die Berge.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "It's getting brighter… now it's starting to ripple.",
        "Es wird heller … jetzt fängt es an zu wogen.",
    ),
    (
        "Narrator",
        "Within minutes, the whole sky comes alive.",
        "Innerhalb weniger Minuten erwacht der ganze Himmel zum Leben.",
    ),
    (
        "Narrator",
        "Curtains of light fold and unfold, faster than the eye can follow.",
        "Lichtvorhänge falten sich zusammen und wieder auseinander, schneller, als das Auge folgen kann.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "This is what we call a substorm. It won't last long, so enjoy it.",
        "Das nennen wir einen Teilsturm. Er dauert nicht lange, also genießen Sie ihn.",
    ),
    (
        "Narrator",
        "Half an hour later, the sky falls quiet again.",
        "Eine halbe Stunde später ist es am Himmel wieder still.",
    ),
    (
        "Dr. Ingrid Sørensen",
        "We understand the physics now. But I don't think we'll ever stop looking up.",
        "Heute verstehen wir die Physik dahinter. Aber ich glaube nicht, dass wir je aufhören werden, nach oben zu schauen.",
    ),
    (
        "Narrator",
        "And tomorrow night, if the skies stay clear, the lights will return.",
        "Und morgen Nacht, wenn der Himmel klar bleibt, kehren die Lichter zurück.",
    ),
]


# --- d. Tokyo office — ep. 12 (ja-JP → en-US) --------------------------------------------------------------

TOKYO_SPEAKERS = [
    DemoSpeaker("Director Sato", "masculine"),
    DemoSpeaker("Yuki Tanaka", "feminine"),
    DemoSpeaker("Kenji Mori", "masculine"),
    DemoSpeaker("Haruka Ito", "feminine"),
]

TOKYO_ROWS = [
    (
        "Director Sato",
        "みんな、ちょっといいか。明日のプレゼン、先方が一時間早めてほしいそうだ。",
        "Everyone, got a minute? The client wants tomorrow's presentation moved up an hour.",
    ),
    ("Kenji Mori", "えっ、一時間もですか？", "What? A whole hour?"),
    (
        "Director Sato",
        "九時からだ。資料は今夜中に仕上げてくれ。",
        "It starts at nine. I need the deck finished tonight.",
    ),
    ("Yuki Tanaka", "わかりました。グラフは私がやります。", "Understood. I'll take care of the charts."),
    (
        "Haruka Ito",
        "売上の最新データ、まだ届いていないんですけど…",
        "The latest sales figures still haven't come in, though…",
    ),
    ("Director Sato", "経理には私から連絡しておく。", "I'll get in touch with accounting myself."),
    ("Kenji Mori", "今日、娘の誕生日なんだよなあ…", "And today's my daughter's birthday…"),
    (
        "Yuki Tanaka",
        "森さん、先に帰ってください。残りは私たちでやりますから。",
        "Go on home, Mori. We'll handle the rest.",
    ),
    ("Kenji Mori", "いや、そういうわけにはいかないよ。", "No, I can't do that to you guys."),
    (
        "Haruka Ito",
        "じゃあ、八時までに終わらせましょう。みんなで。",
        "Then let's be done by eight. All of us, together.",
    ),
    (
        "Yuki Tanaka",
        "伊藤さん、このスライドの数字、合ってますか？",
        "Haruka, are the numbers on this slide right?",
    ),
    (
        "Haruka Ito",
        "あれ…先月の数字のままだ。すみません、すぐ直します。",
        "Huh… these are still last month's numbers. Sorry, I'll fix it right away.",
    ),
    ("Yuki Tanaka", "大丈夫。気づいてよかった。", "It's fine. Good thing we caught it."),
    (
        "Director Sato",
        "経理からデータが来たぞ。今送った。",
        "Accounting sent the data. I just forwarded it to you.",
    ),
    (
        "Kenji Mori",
        "ありがとうございます！…あ、第三四半期、予想より伸びてますね。",
        "Thank you! Oh, the third quarter came in higher than we expected.",
    ),
    ("Director Sato", "それを最初のスライドに持ってこよう。", "Let's put that on the first slide."),
    ("Haruka Ito", "タイトルはどうしますか？", "What should we call it?"),
    ("Kenji Mori", "「次の成長へ」とか、どうですか。", 'How about "Toward Our Next Stage of Growth"?'),
    ("Yuki Tanaka", "ちょっと固くないですか？", "Isn't that a little stiff?"),
    (
        "Director Sato",
        "いや、先方の社長はそういうのが好きなんだ。",
        "No, their president loves that kind of thing.",
    ),
    ("Haruka Ito", "プリンターがまた紙詰まりしてます！", "The printer's jammed again!"),
    (
        "Kenji Mori",
        "叩けば直るって、前に部長が言ってたよね。",
        "The boss once told us you just have to give it a whack.",
    ),
    ("Director Sato", "言ってない。", "I never said that."),
    ("Yuki Tanaka", "…直りました。", "…It's working now."),
    (
        "Director Sato",
        "よし、七時四十五分。予定より早いな。",
        "All right, seven forty-five. We're ahead of schedule.",
    ),
    ("Director Sato", "みんな、本当にお疲れさま。", "Great work, everyone. I mean it."),
    ("Kenji Mori", "じゃあ、お先に失礼します！", "Well then, I'm heading out!"),
    ("Haruka Ito", "森さん、ケーキ忘れないでくださいね。", "Don't forget the cake, Mori!"),
    ("Kenji Mori", "あっ、危なかった。ありがとう！", "Oh! That was close. Thanks!"),
    ("Yuki Tanaka", "明日は九時ですよ。遅刻しないでくださいね。", "Nine o'clock tomorrow. Don't be late!"),
]

JAPANESE_MS_PER_CHAR = 140  # a kana or kanji takes longer to say than a Latin letter


# --- e. Customer onboarding webinar (en-US → pt-BR) -------------------------------------------------------

WEBINAR_SPEAKERS = [
    DemoSpeaker("Priya Nair", "feminine"),
    DemoSpeaker("Jordan Hayes", "masculine"),
]

WEBINAR_ROWS = [
    (
        "Priya Nair",
        "Hi everyone, and welcome to today's onboarding webinar.",
        "Olá a todos, e sejam bem-vindos ao webinar de onboarding de hoje.",
    ),
    (
        "Priya Nair",
        "I'm Priya, and I lead customer success here at Ledgerly.",
        "Eu sou a Priya e lidero a equipe de sucesso do cliente aqui na Ledgerly.",
    ),
    (
        "Priya Nair",
        "With me is Jordan, one of our product specialists.",
        "Comigo está o Jordan, um dos nossos especialistas de produto.",
    ),
    (
        "Jordan Hayes",
        "Thanks, Priya. Hi everyone, it's great to have you here.",
        "Obrigado, Priya. Oi, pessoal, que bom ter vocês aqui.",
    ),
    (
        "Priya Nair",
        "Over the next thirty minutes, we'll set up your account from scratch.",
        "Nos próximos trinta minutos, vamos configurar a sua conta do zero.",
    ),
    (
        "Priya Nair",
        "Feel free to drop your questions in the chat at any time.",
        "Fiquem à vontade para mandar perguntas no chat a qualquer momento.",
    ),
    (
        "Jordan Hayes",
        "Let's start with the dashboard. It's the first thing you'll see when you log in.",
        "Vamos começar pelo painel. É a primeira coisa que vocês veem ao entrar.",
    ),
    (
        "Jordan Hayes",
        "On the left, you have your invoices, your clients and your reports.",
        "À esquerda ficam as faturas, os clientes e os relatórios.",
    ),
    (
        "Jordan Hayes",
        "First, let's add your company details, so they appear on every invoice.",
        "Primeiro, vamos adicionar os dados da empresa, para que apareçam em todas as faturas.",
    ),
    (
        "Jordan Hayes",
        "Click Settings, then Company profile, and upload your logo.",
        "Cliquem em Configurações, depois em Perfil da empresa, e enviem o logotipo de vocês.",
    ),
    (
        "Priya Nair",
        "We already have a question: can I use more than one currency?",
        "Já temos uma pergunta: dá para usar mais de uma moeda?",
    ),
    (
        "Jordan Hayes",
        "Yes, you can. Each client can have their own default currency.",
        "Dá, sim. Cada cliente pode ter a sua própria moeda padrão.",
    ),
    (
        "Jordan Hayes",
        "Now let's create your first client. Click New client in the top right corner.",
        "Agora vamos criar o primeiro cliente. Cliquem em Novo cliente, no canto superior direito.",
    ),
    (
        "Jordan Hayes",
        "You only need a name and an email address to get started.",
        "Para começar, vocês só precisam de um nome e de um endereço de e-mail.",
    ),
    ("Priya Nair", "And the tax ID? Is that required?", "E o número de identificação fiscal? É obrigatório?"),
    (
        "Jordan Hayes",
        "It's optional, but we recommend adding it for business clients.",
        "É opcional, mas recomendamos preencher para clientes pessoa jurídica.",
    ),
    (
        "Jordan Hayes",
        "Great. Now for the fun part: your first invoice.",
        "Ótimo. Agora vem a parte divertida: a primeira fatura.",
    ),
    (
        "Jordan Hayes",
        "Pick the client, add a line item, and the totals are calculated for you.",
        "Escolham o cliente, adicionem um item, e os totais são calculados automaticamente.",
    ),
    (
        "Jordan Hayes",
        "When you're ready, click Send. Your client gets an email with a secure payment link.",
        "Quando estiverem prontos, cliquem em Enviar. O cliente recebe um e-mail com um link de pagamento seguro.",
    ),
    (
        "Priya Nair",
        "Another question from the chat: can invoices go out automatically every month?",
        "Mais uma pergunta do chat: dá para enviar as faturas automaticamente todo mês?",
    ),
    (
        "Jordan Hayes",
        "Absolutely. Just turn on Recurring and choose how often.",
        "Com certeza. É só ativar a opção Recorrente e escolher a frequência.",
    ),
    (
        "Priya Nair",
        "That's a huge time-saver for a lot of our customers.",
        "Isso economiza muito tempo para vários dos nossos clientes.",
    ),
    (
        "Jordan Hayes",
        "One last tip: connect your bank account so payments are matched automatically.",
        "Uma última dica: conectem a conta bancária para que os pagamentos sejam conciliados automaticamente.",
    ),
    (
        "Priya Nair",
        "Thanks, Jordan. We'll email everyone the recording and a short checklist.",
        "Obrigada, Jordan. Vamos mandar para todos, por e-mail, a gravação e um checklist rápido.",
    ),
    (
        "Priya Nair",
        "See you next week for our session on reports!",
        "Até a semana que vem, na nossa sessão sobre relatórios!",
    ),
]


# --- f. The long night (feature film, en-US → es-ES): a pool of lines, repeated in shuffled scenes ---------

FILM_SPEAKERS = [
    DemoSpeaker("Detective Rosa Vega", "feminine"),
    DemoSpeaker("Sam Keller", "masculine"),
    DemoSpeaker("Nora Keller", "feminine"),
    DemoSpeaker("Father Tomás", "masculine"),
    DemoSpeaker("Eli Brandt", "masculine"),
    DemoSpeaker("Mrs. Harlan", "feminine"),
]

# (English, Spanish from Spain)
FILM_POOL = [
    ("Did you hear that?", "¿Has oído eso?"),
    ("It's just the wind. Go back to sleep.", "Es solo el viento. Vuelve a dormirte."),
    ("The phones are dead. All of them.", "Los teléfonos no funcionan. Ninguno."),
    ("Somebody cut the line on purpose.", "Alguien ha cortado la línea a propósito."),
    ("Nobody leaves this house until sunrise.", "Nadie sale de esta casa hasta que amanezca."),
    (
        "You don't get to tell me what to do anymore.",
        "Tú ya no eres quién para decirme lo que tengo que hacer.",
    ),
    ("Where were you at ten o'clock last night?", "¿Dónde estabas anoche a las diez?"),
    ("I was here. Ask anyone.", "Estaba aquí. Pregúntale a quien quieras."),
    ("I already did. They say you weren't.", "Ya lo he hecho. Dicen que no estabas."),
    ("Keep your voice down. The kids are asleep.", "Baja la voz, que los niños están dormidos."),
    ("How long have we got?", "¿Cuánto tiempo nos queda?"),
    ("An hour, maybe. Maybe less.", "Una hora, quizá. Puede que menos."),
    ("The bridge is out. We're on our own.", "El puente se ha venido abajo. Estamos solos."),
    ("Then we wait for the storm to pass.", "Entonces esperaremos a que pase la tormenta."),
    ("I've seen storms like this before. It won't pass.", "Ya he visto tormentas como esta. No va a pasar."),
    ("Light the lamps. All of them.", "Enciende las lámparas. Todas."),
    ("There's someone out by the barn.", "Hay alguien ahí fuera, junto al granero."),
    ("Stay behind me.", "Quédate detrás de mí."),
    ("Who's there? Show yourself!", "¿Quién anda ahí? ¡Da la cara!"),
    (
        "Please don't shoot. I just need somewhere warm.",
        "Por favor, no dispare. Solo necesito un sitio donde entrar en calor.",
    ),
    ("What's your name?", "¿Cómo te llamas?"),
    (
        "Eli. My truck went off the road a mile back.",
        "Eli. Mi camioneta se ha salido de la carretera a un kilómetro y medio de aquí.",
    ),
    ("You're bleeding.", "Estás sangrando."),
    ("It's nothing. It looks worse than it is.", "No es nada. Parece peor de lo que es."),
    ("Sit down. I'll get the first-aid kit.", "Siéntate. Voy a por el botiquín."),
    ("I don't trust him.", "No me fío de él."),
    ("You don't trust anyone.", "Tú no te fías de nadie."),
    ("And I'm usually right.", "Y casi siempre acierto."),
    ("My husband used to say this house had a memory.", "Mi marido decía que esta casa tenía memoria."),
    ("Every floorboard creaks a different name.", "Cada tabla del suelo cruje un nombre distinto."),
    ("That's enough stories for one night.", "Ya basta de historias por esta noche."),
    ("The radio! I've got something!", "¡La radio! ¡Se oye algo!"),
    (
        "…repeat, all roads north of the river are closed…",
        "…repito, todas las carreteras al norte del río están cortadas…",
    ),
    ("Turn it up.", "Sube el volumen."),
    ("It's gone. Just static.", "Se ha perdido. Solo hay interferencias."),
    ("We should have left yesterday, like I said.", "Tendríamos que habernos ido ayer, como dije yo."),
    ("Fine. You were right. Happy now?", "Vale. Tenías razón. ¿Contento?"),
    ("I found this in his coat.", "He encontrado esto en su abrigo."),
    ("That's my sister's necklace.", "Ese es el collar de mi hermana."),
    ("Where did you get this?", "¿De dónde has sacado esto?"),
    ("I can explain. Just give me a chance.", "Puedo explicarlo. Dadme una oportunidad."),
    ("You have one minute.", "Tienes un minuto."),
    ("She gave it to me. Before she disappeared.", "Me lo dio ella. Antes de desaparecer."),
    ("You're lying.", "Mientes."),
    ("Why would I come back here if I was lying?", "¿Para qué iba a volver aquí si estuviera mintiendo?"),
    ("Father, you knew about this, didn't you?", "Padre, usted lo sabía, ¿verdad?"),
    ("I knew she was afraid. I didn't know of whom.", "Sabía que tenía miedo. No sabía de quién."),
    ("Everyone in this town has a secret.", "En este pueblo todo el mundo tiene un secreto."),
    ("Some of us just keep them better.", "Lo que pasa es que algunos los guardamos mejor."),
    ("The generator's out of fuel.", "El generador se ha quedado sin gasolina."),
    ("There's a can in the shed.", "Hay un bidón en el cobertizo."),
    ("I'll go. I know the way in the dark.", "Voy yo. Me sé el camino a oscuras."),
    ("Take the flashlight. And the shotgun.", "Llévate la linterna. Y la escopeta."),
    ("Be careful.", "Ten cuidado."),
    ("I'm always careful.", "Siempre lo tengo."),
    ("He's been gone too long.", "Está tardando demasiado."),
    ("Listen. The wind has stopped.", "Escucha. Ha parado el viento."),
    ("That's not a good sign, is it?", "Eso no es buena señal, ¿verdad?"),
    ("Get away from the window!", "¡Apártate de la ventana!"),
    ("Is everyone all right?", "¿Estáis todos bien?"),
    ("Mom? Mom, where are you?", "¿Mamá? Mamá, ¿dónde estás?"),
    ("I'm here, sweetheart. I'm right here.", "Estoy aquí, cariño. Aquí mismo."),
    ("Whatever happens tonight, you stay together.", "Pase lo que pase esta noche, no os separéis."),
    ("I should have told you the truth years ago.", "Tendría que haberte contado la verdad hace años."),
    ("Then tell me now.", "Pues cuéntamela ahora."),
    ("It was never about the money.", "Nunca fue por el dinero."),
    ("Then what was it about?", "¿Entonces por qué fue?"),
    ("Her. It was always about her.", "Por ella. Siempre fue por ella."),
    ("Put the gun down. Slowly.", "Baja el arma. Despacio."),
    ("I'm not going to hurt anyone.", "No voy a hacerle daño a nadie."),
    ("Look. The sky's getting lighter.", "Mira. Está empezando a clarear."),
    ("We made it. We actually made it.", "Lo hemos conseguido. Lo hemos conseguido de verdad."),
    ("It's over.", "Se acabó."),
    ("No. It's only just beginning.", "No. Esto no ha hecho más que empezar."),
]


def _film_rows(seed):
    """FILM_LINE_COUNT rows: scenes of 8–24 lines between 2 or 3 of the cast, the pool reshuffled each pass."""
    rng = random.Random(seed)
    names = [speaker.name for speaker in FILM_SPEAKERS]
    rows = []
    deck = []
    while len(rows) < FILM_LINE_COUNT:
        cast = rng.sample(names, rng.choice((2, 2, 3)))
        previous = None
        for _ in range(rng.randint(8, 24)):
            if not deck:
                deck = list(FILM_POOL)
                rng.shuffle(deck)
            source, target = deck.pop()
            speaker = rng.choice([name for name in cast if name != previous])
            rows.append((speaker, source, target))
            previous = speaker
    return rows[:FILM_LINE_COUNT]


def demo_projects() -> list[DemoProject]:
    """The demo projects, identical on every call."""
    return [
        _keynote(),
        DemoProject(
            title="Street food stories — ep. 3",
            source_language="es-ES",
            target_language="en-US",
            status="approved",
            speakers=list(STREET_FOOD_SPEAKERS),
            lines=_lay_out(STREET_FOOD_ROWS, seed=3),
        ),
        DemoProject(
            title="Northern lights documentary",
            source_language="en-GB",
            target_language="de-DE",
            status="delivered",
            speakers=list(AURORA_SPEAKERS),
            lines=_lay_out(AURORA_ROWS, seed=4),
        ),
        DemoProject(
            title="Tokyo office — ep. 12",
            source_language="ja-JP",
            target_language="en-US",
            status="in_review",
            speakers=list(TOKYO_SPEAKERS),
            lines=_lay_out(TOKYO_ROWS, seed=12, ms_per_char=JAPANESE_MS_PER_CHAR),
        ),
        DemoProject(
            title="Customer onboarding webinar",
            source_language="en-US",
            target_language="pt-BR",
            status="draft",
            speakers=list(WEBINAR_SPEAKERS),
            lines=_lay_out(WEBINAR_ROWS, seed=5),
        ),
        DemoProject(
            title="The long night (feature film)",
            source_language="en-US",
            target_language="es-ES",
            status="in_review",
            speakers=list(FILM_SPEAKERS),
            lines=_lay_out(_film_rows(seed=2400), seed=2401),
        ),
    ]
