"""Interface strings in Kazakh, Russian and English, and how to pick one.

The pages, the API's labels and the CLI's notes all read them here (no Flask here).

A plain dictionary catalogue: one entry per message key, one string per language. Strings are
``str.format`` templates; the templates escape them like any other text, so a catalogue entry
never carries markup. The query-error messages are :data:`search_service.query.MESSAGES`, taken
in as they are, so the pages word a query error exactly as the API does; bad-parameter codes
come from :mod:`search_service.params`; an unknown key falls back to a generic message.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from search_service.query import MESSAGES as QUERY_MESSAGES
from search_service.vocabulary import MONTH_PATTERN

UI_LANGUAGES = ("kk", "ru", "en")
DEFAULT_UI_LANGUAGE = "kk"
UI_LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}

# Every entry has all three languages; a test checks it.
MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"kk": "Мұрағаттан іздеу", "ru": "Поиск по архиву", "en": "Archive search"},
    "app.tagline": {
        "kk": "Агенттік мұрағаты: қазақ және орыс тілдеріндегі мақалалар",
        "ru": "Архив агентства: статьи на казахском и русском языках",
        "en": "The agency's archive: articles in Kazakh and Russian",
    },
    "opensearch.description": {
        "kk": "Қазақ және орыс тілдеріндегі жаңалықтар мұрағатынан іздеу",
        "ru": "Поиск по архиву новостей на казахском и русском языках",
        "en": "Search the news archive in Kazakh and Russian",
    },
    "nav.skip": {"kk": "Мазмұнға өту", "ru": "Перейти к содержанию", "en": "Skip to content"},
    "nav.ui_language": {
        "kk": "Интерфейс тілі",
        "ru": "Язык интерфейса",
        "en": "Interface language",
    },
    "search.label": {"kk": "Іздеу сұрауы", "ru": "Поисковый запрос", "en": "Search query"},
    "search.placeholder": {
        "kk": "Сөз, «дәйексөз» немесе title:тақырып",
        "ru": "Слово, «фраза» или title:заголовок",
        "en": 'A word, a "phrase" or title:word',
    },
    "search.button": {"kk": "Іздеу", "ru": "Найти", "en": "Search"},
    "search.shortcut": {
        "kk": "«/» пернесі іздеу жолына апарады",
        "ru": "Клавиша «/» переводит к строке поиска",
        "en": "Press “/” to jump to the search box",
    },
    "search.dates": {"kk": "Күн аралығы", "ru": "Период", "en": "Date range"},
    "search.from": {"kk": "Бастап", "ru": "С", "en": "From"},
    "search.to": {"kk": "Дейін", "ru": "По", "en": "To"},
    "results.heading": {"kk": "Іздеу нәтижелері", "ru": "Результаты поиска", "en": "Results"},
    "results.count": {
        "kk": "{count} мақала табылды",
        "ru": "Найдено статей: {count}",
        "en": "{count} articles found",
    },
    "results.count_one": {
        "kk": "1 мақала табылды",
        "ru": "Найдена 1 статья",
        "en": "1 article found",
    },
    "results.took": {"kk": "{ms} мс", "ru": "{ms} мс", "en": "{ms} ms"},
    "results.page_of": {
        "kk": "{page}-бет, барлығы {pages}",
        "ru": "Страница {page} из {pages}",
        "en": "Page {page} of {pages}",
    },
    "results.none": {
        "kk": "«{q}» бойынша ештеңе табылмады.",
        "ru": "По запросу «{q}» ничего не найдено.",
        "en": "Nothing was found for “{q}”.",
    },
    "results.none_hint": {
        "kk": "Сүзгілерді алып тастап көріңіз немесе басқа сөзбен іздеңіз.",
        "ru": "Попробуйте снять фильтры или изменить запрос.",
        "en": "Try removing filters or using other words.",
    },
    "results.none_filters": {
        "kk": "Таңдалған сүзгілерге сай мақала жоқ.",
        "ru": "Нет статей, подходящих под выбранные фильтры.",
        "en": "No articles match the chosen filters.",
    },
    "results.missing_words": {
        "kk": "Барлық сөз бірге кездесетін мақала жоқ; сөздердің көбі бар мақалалар, мыналарсыз:",
        "ru": "Нет статей со всеми словами; показаны статьи с большинством слов, без:",
        "en": "No article has all the words; showing those with most of them, without:",
    },
    "results.prefix_limited": {
        "kk": "Мұрағатта «{prefix}» деп басталатын {of} сөз бар: олардың ең жиі кездесетін "
        "{terms} сөзі ғана ізделді. Қалғанын табу үшін көбірек әріп жазыңыз.",
        "ru": "Слов на «{prefix}» в архиве: {of}. Искали только самые частые из них ({terms}); "
        "чтобы найти остальные, напишите больше букв.",
        "en": "The archive has {of} words starting with “{prefix}”: only the {terms} most "
        "frequent were searched. Type more letters to find the others.",
    },
    "results.prefix_excluded": {
        "kk": "Мұрағатта «{prefix}» деп басталатын {of} сөз бар: олардың ең жиі кездесетін "
        "{terms} сөзі бар мақалалар ғана алынып тасталды, қалғандары бар мақалалар тізімде "
        "болуы мүмкін. Бәрін алып тастау үшін көбірек әріп жазыңыз.",
        "ru": "Слов на «{prefix}» в архиве: {of}. Исключены только статьи с самыми частыми из "
        "них ({terms}); статьи с остальными могут оказаться в списке. Чтобы исключить их, "
        "напишите больше букв.",
        "en": "The archive has {of} words starting with “{prefix}”: only the articles with the "
        "{terms} most frequent were left out, so articles with the others may be listed. "
        "Type more letters to leave them out.",
    },
    "results.prefixes_limited": {
        "kk": "Мұрағатта мына әріптерден басталатын сөздер көп: {prefixes}. Әрқайсысының ең жиі "
        "кездесетін {terms} сөзі ғана ізделді. Қалғанын табу үшін көбірек әріп жазыңыз.",
        "ru": "В архиве много слов на {prefixes}. Искали только самые частые ({terms} на каждое "
        "начало); чтобы найти остальные, напишите больше букв.",
        "en": "The archive has many words starting with {prefixes}: only the {terms} most "
        "frequent of each were searched. Type more letters to find the others.",
    },
    "results.prefix_count": {
        "kk": "«{prefix}» ({of})",
        "ru": "«{prefix}» ({of})",
        "en": "“{prefix}” ({of})",
    },
    "results.timed_out": {
        "kk": "Іздеуге бөлінген уақыт бітті: осы сәтке дейін табылған ең үздік нәтижелер "
        "көрсетілді, кейбір мақалалар тізімде болмауы мүмкін.",
        "ru": "Поиск не уложился в отведённое время: показаны лучшие из найденных к этому "
        "моменту результатов, некоторых статей в списке может не быть.",
        "en": "The search ran out of time: these are the best results found until then, and "
        "some articles may be missing from the list.",
    },
    "notice.literal": {
        "kk": "Жазылғандай іздеу: {query}",
        "ru": "Искать как написано: {query}",
        "en": "Search as typed: {query}",
    },
    "results.did_you_mean": {
        "kk": "Мүмкін, сіз іздегеніңіз:",
        "ru": "Возможно, вы искали:",
        "en": "Did you mean:",
    },
    "results.export": {"kk": "CSV-ге жүктеу", "ru": "Скачать CSV", "en": "Export CSV"},
    "results.sort": {"kk": "Сұрыптау", "ru": "Сортировка", "en": "Sort"},
    "sort.relevance": {"kk": "Сәйкестігі", "ru": "По релевантности", "en": "Relevance"},
    "sort.newest": {"kk": "Алдымен жаңалары", "ru": "Сначала новые", "en": "Newest first"},
    "sort.oldest": {"kk": "Алдымен ескілері", "ru": "Сначала старые", "en": "Oldest first"},
    "pages.label": {"kk": "Беттер", "ru": "Страницы", "en": "Pages"},
    "pages.prev": {"kk": "Алдыңғы", "ru": "Назад", "en": "Previous"},
    "pages.next": {"kk": "Келесі", "ru": "Вперёд", "en": "Next"},
    "pages.page": {"kk": "{page}-бет", "ru": "Страница {page}", "en": "Page {page}"},
    "filters.label": {"kk": "Сүзгілер", "ru": "Фильтры", "en": "Filters"},
    "filters.active": {
        "kk": "Таңдалған сүзгілер",
        "ru": "Выбранные фильтры",
        "en": "Active filters",
    },
    "filters.remove": {
        "kk": "{name} сүзгісін алып тастау",
        "ru": "Снять фильтр: {name}",
        "en": "Remove filter: {name}",
    },
    "filters.clear": {
        "kk": "Барлық сүзгіні алу",
        "ru": "Сбросить все фильтры",
        "en": "Clear all filters",
    },
    "filters.apply": {"kk": "Қолдану", "ru": "Применить", "en": "Apply"},
    # Date presets (search_service.periods), counted back from the newest article.
    "facet.period": {"kk": "Кезең", "ru": "Быстрый выбор дат", "en": "Recent"},
    "period.7d": {"kk": "Соңғы 7 күн", "ru": "Последние 7 дней", "en": "Last 7 days"},
    "period.30d": {"kk": "Соңғы 30 күн", "ru": "Последние 30 дней", "en": "Last 30 days"},
    "period.12m": {"kk": "Соңғы 12 ай", "ru": "Последние 12 месяцев", "en": "Last 12 months"},
    "period.year": {"kk": "Осы жыл", "ru": "Этот год", "en": "This year"},
    "period.note": {
        "kk": "Архивтегі ең жаңа мақаладан бастап санағанда",
        "ru": "Считая от самой новой статьи архива",
        "en": "Counted back from the newest article in the archive",
    },
    "error.bad_period": {
        "kk": "Мұндай кезең жоқ: 7d, 30d, 12m немесе year деп таңдаңыз.",
        "ru": "Такого периода нет: выберите 7d, 30d, 12m или year.",
        "en": "There is no such period: choose 7d, 30d, 12m or year.",
    },
    # Following a search (web/feed.py).
    "feed.follow": {"kk": "Жазылу (Atom)", "ru": "Подписаться (Atom)", "en": "Follow (Atom)"},
    "feed.title": {
        "kk": "Архивтен іздеу: {q}",
        "ru": "Поиск по архиву: {q}",
        "en": "Archive search: {q}",
    },
    "feed.all": {"kk": "барлық мақала", "ru": "все статьи", "en": "all articles"},
    # Near-duplicate stories (search_service.dupes).
    "dupes.similar": {
        "kk": "тағы {count} ұқсас нұсқа",
        "ru": "ещё похожих версий: {count}",
        "en": "{count} similar versions",
    },
    "dupes.similar_one": {
        "kk": "тағы 1 ұқсас нұсқа",
        "ru": "ещё 1 похожая версия",
        "en": "1 similar version",
    },
    "dupes.stories": {
        "kk": "{count} сюжет",
        "ru": "сюжетов: {count}",
        "en": "{count} stories",
    },
    "dupes.show": {
        "kk": "Ұқсас нұсқаларды жеке көрсету",
        "ru": "Показать все версии отдельно",
        "en": "Show every version",
    },
    "dupes.fold": {
        "kk": "Ұқсас нұсқаларды біріктіру",
        "ru": "Объединять похожие версии",
        "en": "Fold similar versions",
    },
    "dupes.group": {
        "kk": "бір сюжеттің нұсқалары",
        "ru": "версии одного сюжета",
        "en": "versions of one story",
    },
    "error.bad_dupes": {
        "kk": "dupes параметрі fold немесе show болуы керек.",
        "ru": "Параметр dupes должен быть fold или show.",
        "en": "dupes must be fold or show.",
    },
    "error.bad_group": {
        "kk": "Мұндай сюжет тобы жоқ.",
        "ru": "Такой группы сюжетов нет.",
        "en": "There is no such group of stories.",
    },
    # Type-ahead (static/typeahead.js).
    "suggest.label": {"kk": "Ұсынылатын сөздер", "ru": "Подсказки", "en": "Suggestions"},
    "facet.lang": {"kk": "Тіл", "ru": "Язык", "en": "Language"},
    "facet.year": {"kk": "Жыл", "ru": "Год", "en": "Year"},
    "facet.month": {"kk": "Ай", "ru": "Месяц", "en": "Month"},
    "facet.city": {"kk": "Қала", "ru": "Город", "en": "City"},
    "facet.from": {"kk": "Бастап", "ru": "С", "en": "From"},
    "facet.to": {"kk": "Дейін", "ru": "По", "en": "To"},
    "facet.count": {"kk": "{count} мақала", "ru": "статей: {count}", "en": "{count} articles"},
    "lang.kk": {"kk": "Қазақша", "ru": "Казахский", "en": "Kazakh"},
    "lang.ru": {"kk": "Орысша", "ru": "Русский", "en": "Russian"},
    "lang.mixed": {"kk": "Аралас", "ru": "Смешанный", "en": "Mixed"},
    "city.none": {"kk": "Қаласы көрсетілмеген", "ru": "Без города", "en": "No city"},
    "timeline.years": {
        "kk": "Жылдар бойынша мақалалар",
        "ru": "Статьи по годам",
        "en": "Articles by year",
    },
    "timeline.months": {
        "kk": "{year} жылғы мақалалар айлар бойынша",
        "ru": "Статьи за {year} год по месяцам",
        "en": "Articles in {year} by month",
    },
    "timeline.bar": {
        "kk": "{label}: {articles}",
        "ru": "{label}: {articles}",
        "en": "{label}: {articles}",
    },
    "timeline.hint": {
        "kk": "Бағанды басып, кезеңді таңдаңыз.",
        "ru": "Нажмите на столбец, чтобы выбрать период.",
        "en": "Click a bar to narrow to that period.",
    },
    "hit.open": {"kk": "Мақаланы ашу", "ru": "Открыть статью", "en": "Open the article"},
    "article.back": {
        "kk": "Нәтижелерге оралу",
        "ru": "Назад к результатам",
        "en": "Back to the results",
    },
    "article.new_search": {"kk": "Жаңа іздеу", "ru": "Новый поиск", "en": "New search"},
    "article.date": {"kk": "Күні", "ru": "Дата", "en": "Date"},
    "article.city": {"kk": "Қала", "ru": "Город", "en": "City"},
    "article.language": {"kk": "Тілі", "ru": "Язык", "en": "Language"},
    "article.agency": {"kk": "Агенттік", "ru": "Агентство", "en": "Agency"},
    "article.id": {"kk": "Сәйкестендіргіш", "ru": "Идентификатор", "en": "Identifier"},
    "article.file": {"kk": "Файл", "ru": "Файл", "en": "File"},
    "article.more_like_this": {
        "kk": "Ұқсас мақалалар",
        "ru": "Похожие статьи",
        "en": "More like this",
    },
    "article.no_similar": {
        "kk": "Ұқсас мақала табылмады.",
        "ru": "Похожих статей нет.",
        "en": "No similar articles.",
    },
    "article.not_found": {
        "kk": "Мақала табылмады",
        "ru": "Статья не найдена",
        "en": "Article not found",
    },
    "article.not_found_hint": {
        "kk": "Мұндай сәйкестендіргішпен мақала мұрағатта жоқ. Ол жойылған болуы мүмкін.",
        "ru": "Статьи с таким идентификатором в архиве нет. Возможно, её удалили.",
        "en": "There is no article with this identifier in the archive; it may have been removed.",
    },
    "help.heading": {"kk": "Қалай іздеуге болады", "ru": "Как искать", "en": "How to search"},
    "help.intro": {
        "kk": "Сөздің кез келген түрі табылады: «сайлау» сұрауы «сайлауда», «сайлаудың» "
        "сөздерін де табады. Мысалды басып көріңіз.",
        "ru": "Ищутся все формы слова: по запросу «выборы» найдутся и «выборах», и «выборов». "
        "Нажмите на пример, чтобы попробовать.",
        "en": "Every form of a word is found: “сайлау” also finds “сайлауда” and “сайлаудың”. "
        "Click an example to try it.",
    },
    "help.word": {
        "kk": "Бір сөз, барлық түрлерімен",
        "ru": "Слово во всех формах",
        "en": "A word, in all its forms",
    },
    "help.words": {
        "kk": "Бірнеше сөз: бәрі кездесетін мақалалар",
        "ru": "Несколько слов: статьи, где есть все",
        "en": "Several words: articles with all of them",
    },
    "help.or": {
        "kk": "OR, НЕМЕСЕ немесе ИЛИ (бас әріппен): сөздердің кез келгені",
        "ru": "OR, ИЛИ или НЕМЕСЕ (заглавными): любое из слов",
        "en": "OR, ИЛИ (Russian) or НЕМЕСЕ (Kazakh), in capitals: any of the words",
    },
    "help.not": {
        "kk": "-сөз, NOT, ЕМЕС немесе НЕ (бас әріппен): бұл сөзсіз",
        "ru": "-слово, NOT, НЕ или ЕМЕС (заглавными): без этого слова",
        "en": "-word, NOT, НЕ (Russian) or ЕМЕС (Kazakh), in capitals: without this word",
    },
    "help.and": {
        "kk": "AND, ЖӘНЕ немесе И (не жай бос орын): барлық сөз. Кіші әріппен жазылған "
        "«және», «или», «не» қарапайым сөз болып қалады",
        "ru": "AND, И или ЖӘНЕ (или просто пробел): все слова. Строчные «и», «или», «не» "
        "остаются обычными словами",
        "en": "AND, И (Russian) or ЖӘНЕ (Kazakh), or just a space: all the words. In lower "
        "case «и», «или», «не» stay plain words",
    },
    "help.group": {
        "kk": "Жақша сөздерді топтайды; title: бүкіл топқа қолданылады",
        "ru": "Скобки объединяют слова; title: относится ко всей группе",
        "en": "Brackets group words; title: applies to the whole group",
    },
    "help.filters": {
        "kk": "lang:kk|ru, city:, year: — сүзгілер сияқты. Басқа «сөз:» өріс емес: "
        "қос нүктеден кейінгісі ғана ізделеді, бұл туралы ескерту шығады",
        "ru": "lang:kk|ru, city:, year: — как фильтры. Другое «слово:» — не поле: "
        "ищется то, что после двоеточия, и об этом сообщается",
        "en": "lang:kk|ru, city:, year: work like the filters. Another “word:” is no field: "
        "what follows the colon is searched, with a note saying so",
    },
    "help.boost": {
        "kk": "сөз^2: сөздің рейтингтегі салмағы артады",
        "ru": "слово^2: слово важнее при ранжировании",
        "en": "word^2: the word weighs more in the ranking",
    },
    "help.phrase": {
        "kk": "Тырнақшадағы тіркес: дәл осы ретпен (жұбы жоқ тырнақша ескерілмейді)",
        "ru": "Фраза в кавычках: слова подряд (кавычка без пары пропускается)",
        "en": "A phrase in quotes: the words in this order (a quote without its pair is left out)",
    },
    "help.prefix": {
        "kk": "сөз*: осылай басталатын сөздер",
        "ru": "слово*: слова с таким началом",
        "en": "word*: words that start like this",
    },
    "help.title": {
        "kk": "title: тек тақырыптан",
        "ru": "title: только в заголовке",
        "en": "title: in the headline only",
    },
    "help.date": {"kk": "date: күн аралығы", "ru": "date: период", "en": "date: a date range"},
    "help.latin": {
        "kk": "Латын әліпбиіндегі сөз",
        "ru": "Слово латиницей",
        "en": "A word in Latin script",
    },
    "help.examples": {"kk": "Мысалдар", "ru": "Примеры", "en": "Examples"},
    "help.syntax": {"kk": "Сұрау тілі", "ru": "Язык запросов", "en": "Query language"},
    "error.heading": {
        "kk": "Сұрауды орындау мүмкін болмады",
        "ru": "Не удалось выполнить запрос",
        "en": "The search could not be run",
    },
    "error.bad_request": {
        "kk": "Сілтеменің параметрлері дұрыс емес. Сүзгілерді қайта таңдап көріңіз.",
        "ru": "В ссылке неверные параметры. Попробуйте выбрать фильтры заново.",
        "en": "The link has parameters that are not valid. Try choosing the filters again.",
    },
    "error.bad_date": {
        "kk": "Күнді ЖЖЖЖ-АА-КК түрінде жазыңыз, мысалы 2025-03-07.",
        "ru": "Укажите дату в виде ГГГГ-ММ-ДД, например 2025-03-07.",
        "en": "Write dates as YYYY-MM-DD, for example 2025-03-07.",
    },
    "error.bad_page": {
        "kk": "Мұндай бет жоқ.",
        "ru": "Такой страницы нет.",
        "en": "There is no such page.",
    },
    "error.too_long": {
        "kk": "Сұрау тым ұзын. Оны қысқартыңыз.",
        "ru": "Запрос слишком длинный. Сократите его.",
        "en": "The query is too long. Please shorten it.",
    },
    "error.bad_per_page": {
        "kk": "Бір беттегі нәтиже саны рұқсат етілген шектен тыс.",
        "ru": "Недопустимое число результатов на странице.",
        "en": "That many results per page is not allowed.",
    },
    "error.bad_sort": {
        "kk": "Мұндай сұрыптау жоқ. Сәйкестігі, жаңалары не ескілері бойынша сұрыптаңыз.",
        "ru": "Такой сортировки нет: выберите по релевантности, новые или старые.",
        "en": "There is no such sort order: choose relevance, newest or oldest.",
    },
    "error.bad_lang": {
        "kk": "Мұндай тіл сүзгісі жоқ: қазақша, орысша немесе аралас деп таңдаңыз.",
        "ru": "Такого фильтра по языку нет: выберите казахский, русский или смешанный.",
        "en": "There is no such language filter: choose Kazakh, Russian or mixed.",
    },
    "error.bad_year": {
        "kk": "Жылды төрт цифрмен жазыңыз, мысалы 2025.",
        "ru": "Год пишется четырьмя цифрами, например 2025.",
        "en": "Write the year with four digits, for example 2025.",
    },
    "error.bad_month": {
        "kk": "Айды ЖЖЖЖ-АА түрінде жазыңыз, мысалы 2025-03.",
        "ru": "Месяц пишется в виде ГГГГ-ММ, например 2025-03.",
        "en": "Write the month as YYYY-MM, for example 2025-03.",
    },
    "error.bad_city": {
        "kk": "Қала атауы тым ұзын.",
        "ru": "Слишком длинное название города.",
        "en": "The city name is too long.",
    },
    "error.index_unavailable": {
        "kk": "Іздеу индексі қазір қолжетімсіз. Бірнеше минуттан соң қайталап көріңіз.",
        "ru": "Поисковый индекс сейчас недоступен. Попробуйте через несколько минут.",
        "en": "The search index is not available right now. Try again in a few minutes.",
    },
    "error.query": {
        "kk": "Сұрауды түсіну мүмкін болмады. Тырнақшалар мен жақшаларды тексеріңіз.",
        "ru": "Не удалось разобрать запрос. Проверьте кавычки и скобки.",
        "en": "The query could not be understood. Check its quotes and brackets.",
    },
    # Query-error keys (QueryError.key): their one catalogue is search_service.query.
    **QUERY_MESSAGES,
    "error.try_help": {
        "kk": "Сұрау тілінің анықтамасы",
        "ru": "Справка по языку запросов",
        "en": "Help on the query language",
    },
}

# Months: the nominative for headings and axis labels, the form used inside a date, short forms.
MONTHS = {
    "kk": (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    "ru": (
        "январь",
        "февраль",
        "март",
        "апрель",
        "май",
        "июнь",
        "июль",
        "август",
        "сентябрь",
        "октябрь",
        "ноябрь",
        "декабрь",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}
_MONTHS_IN_DATE = {
    "ru": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
}
_SHORT_MONTHS = {
    "kk": ("қаң", "ақп", "нау", "сәу", "мам", "мау", "шіл", "там", "қыр", "қаз", "қар", "жел"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
_YEAR_MONTH = re.compile(MONTH_PATTERN)


def translate(ui_lang: str, key: str, **params: object) -> str:
    """The message ``key`` in ``ui_lang``, filled in with ``params`` (plain text, unescaped)."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(ui_lang) or entry[DEFAULT_UI_LANGUAGE]
    return text.format(**params) if params else text


def error_message(ui_lang: str, key: str | None) -> str:
    """The friendly message for a query-error key or a bad-parameter code."""
    for candidate in (key, f"error.{key}"):
        if key and candidate in MESSAGES:
            return translate(ui_lang, candidate)
    fallback = "error.query" if key and key.startswith("query.") else "error.bad_request"
    return translate(ui_lang, fallback)


def choose_ui_language(cookie: str | None, accepted: Iterable[tuple[str, float]]) -> str:
    """The cookie's language if valid, else the best of the browser's languages, else Kazakh.

    >>> choose_ui_language(None, [("ru-RU", 1.0), ("en", 0.5)])
    'ru'
    >>> choose_ui_language("en", [("ru", 1.0)])
    'en'
    """
    if cookie in UI_LANGUAGES:
        return cookie
    for tag, _quality in accepted:
        primary = tag.split("-")[0].lower()
        if primary in UI_LANGUAGES:
            return primary
    return DEFAULT_UI_LANGUAGE


def format_number(ui_lang: str, number: int) -> str:
    """Thousands grouped the local way: ``12 345`` (with a narrow space) or ``12,345``."""
    grouped = f"{number:,}"
    return grouped if ui_lang == "en" else grouped.replace(",", "\u202f")


def count_articles(ui_lang: str, count: int) -> str:
    """``count`` with the word for articles in its right form.

    >>> count_articles("ru", 21), count_articles("ru", 3), count_articles("ru", 11)
    ('21 статья', '3 статьи', '11 статей')
    >>> count_articles("en", 1), count_articles("kk", 5)
    ('1 article', '5 мақала')
    """
    number = format_number(ui_lang, count)
    if ui_lang == "ru":
        if count % 10 == 1 and count % 100 != 11:
            return f"{number} статья"
        if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            return f"{number} статьи"
        return f"{number} статей"
    if ui_lang == "en":
        return f"{number} article" if count == 1 else f"{number} articles"
    return f"{number} мақала"


def format_date(ui_lang: str, date: dt.date) -> str:
    """A date written out: ``2025 жылғы 7 наурыз``, ``7 марта 2025``, ``7 March 2025``."""
    if ui_lang == "kk":
        return f"{date.year} жылғы {date.day} {MONTHS['kk'][date.month - 1]}"
    months = _MONTHS_IN_DATE.get(ui_lang, MONTHS.get(ui_lang, MONTHS["en"]))
    return f"{date.day} {months[date.month - 1]} {date.year}"


def month_label(ui_lang: str, value: str, short: bool = False) -> str:
    """A month facet value (``2025-03``) as a month name; anything else is returned as is."""
    match = _YEAR_MONTH.fullmatch(value)
    if not match:
        return value
    names = (_SHORT_MONTHS if short else MONTHS).get(ui_lang, MONTHS["en"])
    name = names[int(match.group(1)) - 1]
    return name if short else f"{name} {value[:4]}"


def language_label(ui_lang: str, code: str) -> str:
    """An article language code (``kk``, ``ru``, ``mixed``) in the interface language."""
    key = f"lang.{code}"
    return translate(ui_lang, key) if key in MESSAGES else code
