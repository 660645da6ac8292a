//! Word lists the entity tagger reads as features: places (countries,
//! regions, capitals and large cities, US states, Canadian provinces) and
//! common given names. Written by the team from general knowledge; they
//! only hint, the tagger's weights decide.

use rustc_hash::FxHashSet;
use std::sync::OnceLock;

const PLACE_NAMES: &str = "
Afghanistan|Albania|Algeria|Andorra|Angola|Antigua|Argentina|Armenia|Australia|Austria|Azerbaijan|
Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia|Herzegovina|
Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|
China|Colombia|Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|
Dominica|Dominican Republic|East Timor|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|
Eswatini|Ethiopia|Fiji|Finland|France|Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|
Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|
Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|
Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|
Mali|Malta|Mauritania|Mauritius|Mexico|Micronesia|Moldova|Monaco|Mongolia|Montenegro|Morocco|
Mozambique|Myanmar|Burma|Namibia|Nauru|Nepal|Netherlands|Holland|New Zealand|Nicaragua|Niger|Nigeria|
North Korea|North Macedonia|Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|
Paraguay|Peru|Philippines|Poland|Portugal|Qatar|Romania|Russia|Rwanda|Samoa|San Marino|Saudi Arabia|
Senegal|Serbia|Seychelles|Sierra Leone|Singapore|Slovakia|Slovenia|Solomon Islands|Somalia|
South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|
Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad|Tobago|Tunisia|Turkey|Turkmenistan|Tuvalu|Uganda|
Ukraine|United Arab Emirates|United Kingdom|Britain|Great Britain|England|Scotland|Wales|
Northern Ireland|United States|America|Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|Vietnam|Yemen|
Zambia|Zimbabwe|Greenland|Puerto Rico|Hong Kong|Macau|Tibet|Xinjiang|Crimea|Donbas|Gaza|West Bank|
Kashmir|Kurdistan|Catalonia|Siberia|Chechnya|Africa|Asia|Europe|Antarctica|Arctic|Oceania|
North America|South America|Latin America|Central America|Middle East|Near East|Far East|
Caribbean|Balkans|Baltics|Scandinavia|Sahara|Sahel|Mediterranean|Atlantic|Pacific|Indian Ocean|
Persian Gulf|Red Sea|Black Sea|Baltic Sea|South China Sea|East China Sea|Yellow Sea|Sea of Japan|
Korean Peninsula|Himalayas|Alps|Andes|Amazon|Nile|Danube|Rhine|Mississippi|Yangtze|Mekong|
Kabul|Tirana|Algiers|Luanda|Buenos Aires|Yerevan|Canberra|Vienna|Baku|Manama|Dhaka|Minsk|Brussels|
Thimphu|Sarajevo|Brasilia|Sofia|Phnom Penh|Ottawa|Santiago|Beijing|Bogota|Havana|Nicosia|Prague|
Copenhagen|Cairo|Tallinn|Addis Ababa|Helsinki|Paris|Tbilisi|Berlin|Accra|Athens|Budapest|Reykjavik|
New Delhi|Delhi|Jakarta|Tehran|Baghdad|Dublin|Jerusalem|Tel Aviv|Rome|Tokyo|Amman|Astana|Nairobi|
Pristina|Bishkek|Vientiane|Riga|Beirut|Tripoli|Vilnius|Kuala Lumpur|Bamako|Valletta|Mexico City|
Chisinau|Ulaanbaatar|Podgorica|Rabat|Maputo|Naypyidaw|Yangon|Kathmandu|Amsterdam|The Hague|
Wellington|Managua|Abuja|Lagos|Pyongyang|Skopje|Oslo|Muscat|Islamabad|Karachi|Lahore|Panama City|
Asuncion|Lima|Manila|Warsaw|Lisbon|Doha|Bucharest|Moscow|Kigali|Riyadh|Jeddah|Dakar|Belgrade|
Freetown|Bratislava|Ljubljana|Mogadishu|Pretoria|Johannesburg|Cape Town|Seoul|Busan|Juba|Madrid|
Barcelona|Colombo|Khartoum|Stockholm|Bern|Geneva|Zurich|Damascus|Aleppo|Taipei|Dushanbe|Dodoma|
Bangkok|Tunis|Ankara|Istanbul|Ashgabat|Kampala|Kyiv|Kiev|Kharkiv|Odesa|Odessa|Mariupol|Abu Dhabi|
Dubai|London|Edinburgh|Glasgow|Cardiff|Belfast|Manchester|Liverpool|Birmingham|Washington|
Montevideo|Tashkent|Caracas|Hanoi|Ho Chi Minh City|Saigon|Sanaa|Aden|Lusaka|Harare|Shanghai|
Guangzhou|Shenzhen|Wuhan|Chengdu|Hangzhou|Nanjing|Tianjin|Chongqing|Osaka|Kyoto|Yokohama|Nagoya|
Hiroshima|Nagasaki|Okinawa|Mumbai|Bombay|Kolkata|Calcutta|Chennai|Bangalore|Hyderabad|Singapore|
Sydney|Melbourne|Brisbane|Perth|Adelaide|Auckland|Toronto|Montreal|Vancouver|Calgary|Edmonton|
Quebec|New York|New York City|Los Angeles|Chicago|Houston|Phoenix|Philadelphia|San Antonio|
San Diego|Dallas|San Jose|Austin|Jacksonville|San Francisco|Columbus|Indianapolis|Seattle|Denver|
Boston|Nashville|Detroit|Portland|Las Vegas|Memphis|Louisville|Baltimore|Milwaukee|Albuquerque|
Tucson|Fresno|Sacramento|Atlanta|Miami|Oakland|Minneapolis|Cleveland|New Orleans|Tampa|Pittsburgh|
Cincinnati|St. Louis|Kansas City|Orlando|Honolulu|Anchorage|Brooklyn|Manhattan|Queens|Bronx|
Harlem|Hollywood|Silicon Valley|Wall Street|Munich|Hamburg|Frankfurt|Cologne|Stuttgart|Dresden|
Leipzig|Milan|Naples|Turin|Florence|Venice|Lyon|Marseille|Nice|Bordeaux|Strasbourg|Toulouse|
Seville|Valencia|Bilbao|Porto|Rotterdam|Antwerp|Krakow|Gdansk|St Petersburg|Saint Petersburg|
Vladivostok|Novosibirsk|Kaliningrad|Sevastopol|Tijuana|Guadalajara|Monterrey|Sao Paulo|Rio de Janeiro|
Rio|Medellin|Quito|La Paz|Casablanca|Marrakech|Alexandria|Benghazi|Mosul|Basra|Kirkuk|Erbil|
Raqqa|Idlib|Homs|Haifa|Ramallah|Hebron|Rafah|Kandahar|Herat|Peshawar|Quetta|Kabul|Tehran|Isfahan|
Mashhad|Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|
Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|
Minnesota|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|North Carolina|
North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|
Texas|Utah|Vermont|Virginia|West Virginia|Wisconsin|Wyoming|Ontario|British Columbia|Alberta|
Manitoba|Saskatchewan|Nova Scotia|New Brunswick|Newfoundland|Yukon|Nunavut|Bavaria|Saxony|
Tuscany|Sicily|Sardinia|Corsica|Normandy|Brittany|Provence|Andalusia|Flanders|Wallonia|Lapland|
Yorkshire|Kent|Cornwall|Cambridge|Oxford|Hokkaido|Kyushu|Punjab|Bengal|Gujarat|Kerala|Tamil Nadu|
Bali|Java|Sumatra|Borneo|Mindanao|Hainan|Guangdong|Sichuan|Yunnan|Fujian|Manchuria|Inner Mongolia|
Pyeongyang|Kaesong|Wonsan|Sinpo|Yongbyon|Panmunjom|Incheon|Gwangju|Daegu|Jeju|Vladikavkaz|
";

const GIVEN_NAMES: &str = "
James|John|Robert|Michael|William|David|Richard|Joseph|Thomas|Charles|Christopher|Daniel|Matthew|
Anthony|Mark|Donald|Steven|Paul|Andrew|Joshua|Kenneth|Kevin|Brian|George|Timothy|Ronald|Edward|
Jason|Jeffrey|Ryan|Jacob|Gary|Nicholas|Eric|Jonathan|Stephen|Larry|Justin|Scott|Brandon|Benjamin|
Samuel|Gregory|Alexander|Frank|Patrick|Raymond|Jack|Dennis|Jerry|Tyler|Aaron|Jose|Adam|Nathan|Henry|
Douglas|Zachary|Peter|Kyle|Ethan|Walter|Noah|Jeremy|Christian|Keith|Roger|Terry|Gerald|Harold|Sean|
Austin|Carl|Arthur|Lawrence|Dylan|Jesse|Jordan|Bryan|Billy|Joe|Bruce|Gabriel|Logan|Albert|Willie|
Alan|Juan|Wayne|Elijah|Randy|Roy|Vincent|Ralph|Eugene|Russell|Bobby|Mason|Philip|Louis|Mary|
Patricia|Jennifer|Linda|Elizabeth|Barbara|Susan|Jessica|Sarah|Karen|Lisa|Nancy|Betty|Margaret|
Sandra|Ashley|Kimberly|Emily|Donna|Michelle|Carol|Amanda|Dorothy|Melissa|Deborah|Stephanie|Rebecca|
Sharon|Laura|Cynthia|Kathleen|Amy|Angela|Shirley|Anna|Brenda|Pamela|Emma|Nicole|Helen|Samantha|
Katherine|Christine|Debra|Rachel|Carolyn|Janet|Catherine|Maria|Heather|Diane|Ruth|Julie|Olivia|
Joyce|Virginia|Victoria|Kelly|Lauren|Christina|Joan|Evelyn|Judith|Megan|Andrea|Cheryl|Hannah|
Jacqueline|Martha|Gloria|Teresa|Ann|Sara|Madison|Frances|Kathryn|Janice|Jean|Abigail|Alice|Julia|
Judy|Sophia|Grace|Denise|Amber|Doris|Marilyn|Danielle|Beverly|Isabella|Theresa|Diana|Natalie|
Brittany|Charlotte|Marie|Kayla|Alexis|Lori|Hillary|Barack|Joe|Kamala|Bernie|Nancy|Mitch|Ted|
Marco|Jeb|Mike|Chris|Tom|Jim|Bill|Bob|Dave|Steve|Tony|Matt|Dan|Ben|Sam|Nick|Alex|Max|Tim|Greg|Jeff|
Kim|Vladimir|Sergei|Sergey|Dmitry|Dmitri|Alexei|Alexey|Andrei|Ivan|Igor|Mikhail|Nikolai|Olga|
Tatiana|Natalia|Svetlana|Irina|Elena|Yuri|Oleg|Volodymyr|Petro|Viktor|Xi|Li|Wang|Zhang|Liu|Chen|
Hu|Deng|Mao|Jiang|Wen|Shinzo|Fumio|Yoshihide|Naoto|Hiroshi|Takeshi|Yuki|Moon|Park|Lee|Yoon|
Narendra|Rahul|Sonia|Indira|Imran|Nawaz|Benazir|Recep|Emmanuel|Francois|Nicolas|Jacques|Marine|
Angela|Olaf|Helmut|Gerhard|Boris|Theresa|Rishi|Keir|Justin|Jair|Luiz|Andres|Nicolas|Hugo|Fidel|
Raul|Carlos|Luis|Jorge|Pedro|Miguel|Antonio|Manuel|Francisco|Javier|Pablo|Diego|Fernando|Ricardo|
Ali|Ahmed|Mohammed|Muhammad|Mohamed|Hassan|Hussein|Omar|Abdul|Abdullah|Ibrahim|Mustafa|Khalid|
Fatima|Aisha|Yusuf|Salman|Bashar|Hosni|Benjamin|Yitzhak|Ariel|Golda|Shimon|Naftali|Yair|Ehud|
Volker|Jens|Ursula|Charles|Camilla|Harry|Meghan|Kate|Diana|Elon|Jeff|Warren|Mark|Sundar|Satya|
Tim|Larry|Sergey|Oprah|Taylor|Beyonce|Kanye|Ana|Mia|Eva|Lena|Sofia|Lucas|Liam|Leon|Felix|Jonas|
Lars|Erik|Anders|Nils|Sven|Ingrid|Astrid|Karin|Anja|Pierre|Jean|Michel|Philippe|Alain|Claude|Louis|
Giuseppe|Giovanni|Marco|Luca|Matteo|Paolo|Francesca|Giulia|Chiara|Jan|Piotr|Tomasz|Andrzej|Pavel|
Josef|Milan|Stefan|Nikola|Dragan|Goran|Ahmet|Mehmet|Mustafa|Emre|Ayse|Elif|Kofi|Kwame|Nelson|Jacob|
Cyril|Thabo|Uhuru|Raila|Paul|Abiy|Yoweri|Robert|Emmerson|Hage|Olusegun|Goodluck|Muhammadu|Bola|
";

const ORGANIZATION_NAMES: &str = "
United Nations|UN|U.N.|NATO|European Union|EU|E.U.|European Commission|European Parliament|
Security Council|General Assembly|World Health Organization|World Health Organisation|WHO|UNESCO|
UNICEF|UNHCR|IAEA|International Atomic Energy Agency|IMF|International Monetary Fund|World Bank|
WTO|World Trade Organization|OPEC|OECD|G7|G20|ASEAN|African Union|Arab League|Red Cross|
Red Crescent|Amnesty International|Human Rights Watch|Greenpeace|Interpol|Europol|FIFA|IOC|
Congress|Senate|House of Representatives|Parliament|Bundestag|Duma|Knesset|Politburo|Kremlin|
Pentagon|White House|State Department|Supreme Court|FBI|CIA|NSA|NASA|EPA|FDA|CDC|IRS|DHS|FEMA|
Federal Reserve|Fed|Treasury|Justice Department|Department of Justice|Department of Defense|
Homeland Security|Secret Service|Border Patrol|Army|Navy|Air Force|Marines|Marine Corps|
National Guard|Coast Guard|Democratic Party|Republican Party|Democrats|Republicans|GOP|DNC|RNC|
Labour|Labour Party|Conservative Party|Tories|Liberal Democrats|SPD|CDU|Communist Party|
Workers' Party of Korea|KCNA|Korean Central News Agency|Yonhap|Xinhua|TASS|RIA Novosti|Interfax|
Reuters|Associated Press|AP|AFP|Agence France-Presse|Bloomberg|BBC|CNN|Fox News|MSNBC|NBC|CBS|ABC|
NPR|PBS|Al Jazeera|New York Times|Washington Post|Wall Street Journal|Financial Times|Guardian|
Times|Daily Telegraph|Telegraph|Economist|Politico|Axios|Huffington Post|Breitbart|USA Today|
Los Angeles Times|Chicago Tribune|Boston Globe|Le Monde|Der Spiegel|Spiegel|Asahi|NHK|Kyodo|
Google|Alphabet|Apple|Microsoft|Amazon|Facebook|Meta|Twitter|X Corp|Tesla|SpaceX|OpenAI|Netflix|
IBM|Intel|Nvidia|Samsung|Sony|Toyota|Honda|Nissan|Hyundai|Volkswagen|BMW|Mercedes|Daimler|Ford|
General Motors|GM|Boeing|Airbus|Lockheed Martin|Raytheon|Exxon|ExxonMobil|Chevron|Shell|BP|
Gazprom|Rosneft|Aramco|Huawei|Alibaba|Tencent|Baidu|ByteDance|TikTok|Walmart|Goldman Sachs|
JPMorgan|Morgan Stanley|Citigroup|HSBC|Barclays|Deutsche Bank|UBS|Credit Suisse|Visa|Mastercard|
Pfizer|Moderna|AstraZeneca|Johnson & Johnson|Novartis|Roche|Bayer|Siemens|Nestle|Unilever|
Harvard|Harvard University|Yale|Yale University|Stanford|Stanford University|MIT|Princeton|
Columbia University|Oxford University|Cambridge University|University of Oxford|
University of Cambridge|Sorbonne|Brookings Institution|Heritage Foundation|RAND|Hamas|Hezbollah|
Taliban|al-Qaeda|Al Qaeda|Islamic State|ISIS|ISIL|Wagner|Wagner Group|Mossad|KGB|FSB|GRU|MI5|MI6|
";

fn set(list: &'static str) -> FxHashSet<&'static str> {
    list.split(['|', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whole place names ("New Zealand"), with the rules' own list.
pub fn places() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut s = set(PLACE_NAMES);
        s.extend(crate::entities::PLACES.iter().copied());
        s
    })
}

/// Words of place names ("New", "Zealand").
pub fn place_words() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| places().iter().flat_map(|p| p.split(' ')).collect())
}

/// Well-known organisations ("NATO", "Reuters", "Supreme Court").
pub fn organizations() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| set(ORGANIZATION_NAMES))
}

/// The leading run of letters and digits of every place and organisation
/// name ("New" of "New Zealand", "U" of "U.S."): a name can start at a word
/// only if the word's own leading run is one of these.
pub fn name_leads() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        places()
            .iter()
            .chain(organizations())
            .map(|name| lead(name))
            .collect()
    })
}

/// `s` up to its first character that is not a letter or digit.
pub fn lead(s: &str) -> &str {
    s.find(|c: char| !c.is_alphanumeric())
        .map_or(s, |end| &s[..end])
}

/// Common given names.
pub fn given_names() -> &'static FxHashSet<&'static str> {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| set(GIVEN_NAMES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_into_names() {
        assert!(places().contains("New Zealand") && places().contains("Prague"));
        assert!(place_words().contains("Zealand"));
        assert!(organizations().contains("Workers' Party of Korea"));
        assert!(given_names().contains("Olga") && !given_names().contains(""));
    }

    #[test]
    fn names_are_found_by_their_leading_run() {
        assert_eq!(lead("U.S. Army"), "U");
        assert_eq!(lead("Workers' Party of Korea"), "Workers");
        assert_eq!(lead("Prague"), "Prague");
        assert!(name_leads().contains("New") && name_leads().contains("Workers"));
        assert!(!name_leads().contains("the") && !name_leads().contains("Zealand"));
    }
}
