"""Realistic place names for benchmark registries: real US and partner cities, and more made the same way.

One idea, so longer than most modules: the name lists are data. Real names come first; to reach 20,000
partnerships without a few hundred names repeating a hundred times each, more are built the way such names
are built (English town names from their usual parts, Russian ones from Russian roots, written in Cyrillic
and transliterated), so the index sees thousands of distinct names, as a large registry would. About one
Russian partner name in six is stored in Cyrillic, as a list typed on the Russian side would have it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from unidecode import unidecode

# Real US member cities (many are real SCI members), with their state.
US_CITIES = """
Albuquerque NM|Alexandria VA|Anchorage AK|Ann Arbor MI|Arlington VA|Asheville NC|Athens GA|Atlanta GA|
Austin TX|Bakersfield CA|Baltimore MD|Bangor ME|Baton Rouge LA|Bellingham WA|Berkeley CA|Billings MT|
Birmingham AL|Bismarck ND|Bloomington IN|Boise ID|Boston MA|Boulder CO|Bowling Green KY|Bozeman MT|
Bridgeport CT|Buffalo NY|Burlington VT|Cambridge MA|Canton OH|Cedar Rapids IA|Chapel Hill NC|
Charleston SC|Charlotte NC|Charlottesville VA|Chattanooga TN|Cheyenne WY|Chicago IL|Cincinnati OH|
Cleveland OH|Colorado Springs CO|Columbia SC|Columbus OH|Concord NH|Corvallis OR|Dallas TX|Dayton OH|
Decatur GA|Denver CO|Des Moines IA|Detroit MI|Dubuque IA|Duluth MN|Eugene OR|Evanston IL|Fairbanks AK|
Fargo ND|Fayetteville AR|Flagstaff AZ|Fort Collins CO|Fort Wayne IN|Fort Worth TX|Fresno CA|
Gainesville FL|Grand Rapids MI|Green Bay WI|Greensboro NC|Greenville SC|Hartford CT|Helena MT|
Honolulu HI|Houston TX|Huntsville AL|Indianapolis IN|Ithaca NY|Jackson MS|Jacksonville FL|Juneau AK|
Kalamazoo MI|Kansas City MO|Knoxville TN|Lafayette LA|Lancaster PA|Lansing MI|Las Cruces NM|
Lawrence KS|Lexington KY|Lincoln NE|Little Rock AR|Louisville KY|Lowell MA|Lubbock TX|Madison WI|
Manchester NH|Memphis TN|Miami FL|Milwaukee WI|Minneapolis MN|Missoula MT|Mobile AL|Montpelier VT|
Nashville TN|New Haven CT|New Orleans LA|Newark NJ|Norfolk VA|Oakland CA|Ogden UT|Oklahoma City OK|
Olympia WA|Omaha NE|Orlando FL|Pasadena CA|Pensacola FL|Peoria IL|Philadelphia PA|Phoenix AZ|
Pittsburgh PA|Pocatello ID|Portland OR|Portland ME|Providence RI|Provo UT|Raleigh NC|Reno NV|
Richmond VA|Rochester NY|Rockford IL|Sacramento CA|Saint Paul MN|Salem OR|Salt Lake City UT|
San Antonio TX|San Diego CA|San Jose CA|Santa Barbara CA|Santa Fe NM|Santa Rosa CA|Savannah GA|
Scranton PA|Seattle WA|Sioux Falls SD|Spokane WA|Springfield IL|Springfield MO|Springfield MA|
Stamford CT|Syracuse NY|Tacoma WA|Tallahassee FL|Tampa FL|Toledo OH|Topeka KS|Tucson AZ|Tulsa OK|
Urbana IL|Ventura CA|Waco TX|Wichita KS|Wilmington DE|Winston-Salem NC|Worcester MA|Yakima WA|
Youngstown OH|Yuma AZ|Zanesville OH|Athens OH|Oxford MS|Princeton NJ|Annapolis MD|Frederick MD|
Rockville MD|Sarasota FL|Naples FL|Key West FL|Durango CO|Aspen CO|Taos NM|Sedona AZ|Laramie WY|
Sheridan WY|Rapid City SD|Mankato MN|Ames IA|Iowa City IA|Muncie IN|Kenosha WI|Racine WI|Erie PA|
Altoona PA|Bethlehem PA|Allentown PA|Trenton NJ|Hoboken NJ|Albany NY|Schenectady NY|Utica NY|
Binghamton NY|Poughkeepsie NY|Nashua NH|Keene NH|Brattleboro VT|Augusta ME|Lewiston ME|Newport RI
"""

# Real partner cities abroad: name|region|country, with the Russian spelling for Russian ones.
PARTNER_CITIES = """
Arkhangelsk|Arkhangelsk Oblast|Russia|Архангельск
Astrakhan|Astrakhan Oblast|Russia|Астрахань
Barnaul|Altai Krai|Russia|Барнаул
Belgorod|Belgorod Oblast|Russia|Белгород
Bryansk|Bryansk Oblast|Russia|Брянск
Cheboksary|Chuvashia|Russia|Чебоксары
Chelyabinsk|Chelyabinsk Oblast|Russia|Челябинск
Chita|Zabaykalsky Krai|Russia|Чита
Irkutsk|Irkutsk Oblast|Russia|Иркутск
Ivanovo|Ivanovo Oblast|Russia|Иваново
Izhevsk|Udmurtia|Russia|Ижевск
Kaluga|Kaluga Oblast|Russia|Калуга
Kazan|Tatarstan|Russia|Казань
Kemerovo|Kemerovo Oblast|Russia|Кемерово
Khabarovsk|Khabarovsk Krai|Russia|Хабаровск
Kirov|Kirov Oblast|Russia|Киров
Krasnodar|Krasnodar Krai|Russia|Краснодар
Krasnoyarsk|Krasnoyarsk Krai|Russia|Красноярск
Kursk|Kursk Oblast|Russia|Курск
Lipetsk|Lipetsk Oblast|Russia|Липецк
Magadan|Magadan Oblast|Russia|Магадан
Murmansk|Murmansk Oblast|Russia|Мурманск
Nizhny Novgorod|Nizhny Novgorod Oblast|Russia|Нижний Новгород
Novgorod|Novgorod Oblast|Russia|Новгород
Novosibirsk|Novosibirsk Oblast|Russia|Новосибирск
Omsk|Omsk Oblast|Russia|Омск
Orenburg|Orenburg Oblast|Russia|Оренбург
Oryol|Oryol Oblast|Russia|Орёл
Penza|Penza Oblast|Russia|Пенза
Perm|Perm Krai|Russia|Пермь
Petrozavodsk|Karelia|Russia|Петрозаводск
Rostov-on-Don|Rostov Oblast|Russia|Ростов-на-Дону
Ryazan|Ryazan Oblast|Russia|Рязань
Samara|Samara Oblast|Russia|Самара
Saratov|Saratov Oblast|Russia|Саратов
Smolensk|Smolensk Oblast|Russia|Смоленск
Sochi|Krasnodar Krai|Russia|Сочи
Surgut|Khanty-Mansi|Russia|Сургут
Syktyvkar|Komi|Russia|Сыктывкар
Tambov|Tambov Oblast|Russia|Тамбов
Tomsk|Tomsk Oblast|Russia|Томск
Tula|Tula Oblast|Russia|Тула
Tver|Tver Oblast|Russia|Тверь
Tyumen|Tyumen Oblast|Russia|Тюмень
Ufa|Bashkortostan|Russia|Уфа
Ulan-Ude|Buryatia|Russia|Улан-Удэ
Ulyanovsk|Ulyanovsk Oblast|Russia|Ульяновск
Vladimir|Vladimir Oblast|Russia|Владимир
Vladivostok|Primorsky Krai|Russia|Владивосток
Volgograd|Volgograd Oblast|Russia|Волгоград
Vologda|Vologda Oblast|Russia|Вологда
Voronezh|Voronezh Oblast|Russia|Воронеж
Yakutsk|Sakha|Russia|Якутск
Yaroslavl|Yaroslavl Oblast|Russia|Ярославль
Yekaterinburg|Sverdlovsk Oblast|Russia|Екатеринбург
Yuzhno-Sakhalinsk|Sakhalin Oblast|Russia|Южно-Сахалинск
Veliky Novgorod|Novgorod Oblast|Russia|Великий Новгород
Suzdal|Vladimir Oblast|Russia|Суздаль
Rybinsk|Yaroslavl Oblast|Russia|Рыбинск
Uglich|Yaroslavl Oblast|Russia|Углич
Kolomna|Moscow Oblast|Russia|Коломна
Zelenograd|Moscow|Russia|Зеленоград
Obninsk|Kaluga Oblast|Russia|Обнинск
Dubna|Moscow Oblast|Russia|Дубна
Vyborg|Leningrad Oblast|Russia|Выборг
Gatchina|Leningrad Oblast|Russia|Гатчина
Kaliningrad|Kaliningrad Oblast|Russia|Калининград
Pyatigorsk|Stavropol Krai|Russia|Пятигорск
Makhachkala|Dagestan|Russia|Махачкала
Vladikavkaz|North Ossetia|Russia|Владикавказ
Kyiv|Kyiv|Ukraine|Киев
Lviv|Lviv Oblast|Ukraine|Львов
Odesa|Odesa Oblast|Ukraine|Одесса
Kharkiv|Kharkiv Oblast|Ukraine|Харьков
Dnipro|Dnipropetrovsk Oblast|Ukraine|Днепр
Zhytomyr|Zhytomyr Oblast|Ukraine|Житомир
Tbilisi|Tbilisi|Georgia|Тбилиси
Kutaisi|Imereti|Georgia|Кутаиси
Yerevan|Yerevan|Armenia|Ереван
Almaty|Almaty|Kazakhstan|Алматы
Vilnius|Vilnius County|Lithuania|
Riga|Riga|Latvia|
Tartu|Tartu County|Estonia|
Krakow|Lesser Poland|Poland|
Gdansk|Pomerania|Poland|
Wroclaw|Lower Silesia|Poland|
Brno|South Moravia|Czechia|
Dresden|Saxony|Germany|
Leipzig|Saxony|Germany|
Freiburg|Baden-Wurttemberg|Germany|
Heidelberg|Baden-Wurttemberg|Germany|
Munster|North Rhine-Westphalia|Germany|
Lyon|Auvergne-Rhone-Alpes|France|
Bordeaux|Nouvelle-Aquitaine|France|
Rouen|Normandy|France|
Caen|Normandy|France|
Nantes|Pays de la Loire|France|
Perugia|Umbria|Italy|
Siena|Tuscany|Italy|
Bologna|Emilia-Romagna|Italy|
Salamanca|Castile and Leon|Spain|
Cork|Munster|Ireland|
Galway|Connacht|Ireland|
Kanazawa|Ishikawa Prefecture|Japan|
Sendai|Miyagi Prefecture|Japan|
Nagasaki|Nagasaki Prefecture|Japan|
Matsuyama|Ehime Prefecture|Japan|
Kurashiki|Okayama Prefecture|Japan|
Daejeon|Daejeon|South Korea|
Gwangju|Gwangju|South Korea|
Chuncheon|Gangwon|South Korea|
Hangzhou|Zhejiang|China|
Suzhou|Jiangsu|China|
Xi'an|Shaanxi|China|
Kaohsiung|Kaohsiung|Taiwan|
Cebu|Central Visayas|Philippines|
Pune|Maharashtra|India|
Haifa|Haifa District|Israel|
Nakuru|Nakuru County|Kenya|
Kumasi|Ashanti|Ghana|
Ibadan|Oyo|Nigeria|
Arusha|Arusha Region|Tanzania|
Guadalajara|Jalisco|Mexico|
Oaxaca|Oaxaca|Mexico|
Puebla|Puebla|Mexico|
Curitiba|Parana|Brazil|
Cordoba|Cordoba|Argentina|
Valparaiso|Valparaiso|Chile|
"""

_STATES = """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND
    OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
"""
STATES = _STATES.split()

# How English-speaking towns are named: Ash + ford, Maple + ton, North + Ashford.
_US_FIRST = """
    Ash Oak Maple Elm Cedar Pine Birch Willow Spring Fair Green Clear Stone Brook Mill Bridge Red White
    Black Silver Golden Rock Sandy Hazel Glen Rose Lake River Hill Deer Fox Eagle Wolf Bear Franklin
    Lincoln Madison Jefferson Clinton Warren Marion Hamilton Jackson Monroe Chester Bristol Dover Salis
    Brent Hart Kings Queens Wood Hamp Wil Brad Wake Ells Carl Lex Dan Bel Har
"""
_US_LAST = "ford ton ville field dale wood burg port brook view ridge haven mont land ham ley wick worth by"
_US_BEFORE = ("North", "South", "East", "West", "New", "Port", "Fort", "Mount", "Lake")

# How Russian towns are named: Ново + горск, Красно + ярск, Усть- + Кут.
_RU_FIRST = """
    Ново Старо Верхне Нижне Красно Бело Черно Соль Камен Бор Лес Озер Речн Лугов Полев Снеж Ясн Тих
    Зелено Светло Славян Берез Сосн Дуб Кедр Ольх Рябин Волж Дон Ок Кам Сур Ишим Тобол Иртыш Енисей
"""
_RU_LAST = "горск ярск озёрск реченск дольск поль град бург ск овск инск ево ино анск еньск ейск"
_VOWELS = "аеиоуыэюяё"


@dataclass(frozen=True, slots=True)
class Place:
    """A place a partnership names: its name, region and country; `russian` is how a Russian writes it."""

    name: str
    region: str
    country: str
    russian: str = ""


def us_cities() -> list[tuple[str, str]]:
    """(name, state) of every real US city in the list."""
    rows = [entry.strip() for entry in US_CITIES.replace("\n", "").split("|") if entry.strip()]
    return [(row.rsplit(" ", 1)[0], row.rsplit(" ", 1)[1]) for row in rows]


def partner_cities() -> list[Place]:
    """Every real partner city in the list."""
    places = []
    for line in PARTNER_CITIES.strip().splitlines():
        name, region, country, russian = line.split("|")
        places.append(Place(name, region, country, russian))
    return places


def _made_us_names(rng: random.Random) -> list[str]:
    names = {first + last for first in _US_FIRST.split() for last in _US_LAST.split()}
    names |= {f"{before} {name}" for before in _US_BEFORE for name in rng.sample(sorted(names), 120)}
    return sorted(names)


def _made_russian_places(rng: random.Random) -> list[Place]:
    regions = [p.region for p in partner_cities() if p.country == "Russia"]
    places = []
    for first in _RU_FIRST.split():
        for last in _RU_LAST.split():
            # A linking "о" between consonants, as in Красноярск and Белгород; none before "ск" (Борск).
            link = "о" if first[-1] not in _VOWELS and last[0] not in _VOWELS and last != "ск" else ""
            russian = (first + link + last).replace("оо", "о").capitalize()
            places.append(Place(unidecode(russian).replace("'", ""), rng.choice(regions), "Russia", russian))
    return places


def registry_places(
    count: int, rng: random.Random, reserved: set[str]
) -> Iterator[tuple[tuple[str, str], Place]]:
    """`count` distinct (US city, partner) pairs, real names first; no name in `reserved` is used."""
    real_us = [city for city in us_cities() if city[0] not in reserved]
    made_us = [name for name in _made_us_names(rng) if name not in reserved]
    real_partners = [p for p in partner_cities() if p.name not in reserved]
    made_partners = [p for p in _made_russian_places(rng) if p.name not in reserved]
    seen: set[tuple[str, str, str, str]] = set()
    while len(seen) < count:
        # Real cities with their real partners' kind of names, and made-up ones as the registry grows.
        us = rng.choice(real_us) if rng.random() < 0.3 else (rng.choice(made_us), rng.choice(STATES))
        partner = rng.choice(real_partners) if rng.random() < 0.4 else rng.choice(made_partners)
        key = (us[0], us[1], partner.name, partner.country)
        if key in seen:
            continue
        seen.add(key)
        if partner.russian and partner.country == "Russia" and rng.random() < 1 / 6:
            partner = Place(partner.russian, partner.region, partner.country, partner.russian)
        yield us, partner
