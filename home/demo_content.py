"""The demo catalogue loaded by `manage.py seed_demo`."""

from decimal import Decimal

from home.shared import roles

# name, brand, model, processor, RAM GB, storage, display, weight kg, price, stock, tags
PRODUCTS = [
    ("Lenovo ThinkPad X1 Carbon Gen 12", "Lenovo", "X1 Carbon Gen 12", "Intel Core Ultra 7 155U", 32, "1 TB SSD", '14" 2880x1800 OLED', "1.09", "1899.00", 12, ["business", "ultralight"]),
    ("Lenovo ThinkPad T14 Gen 5", "Lenovo", "T14 Gen 5", "AMD Ryzen 7 PRO 8840U", 16, "512 GB SSD", '14" 1920x1200 IPS', "1.31", "1249.00", 20, ["business"]),
    ("Lenovo Legion Pro 5", "Lenovo", "Legion Pro 5 16IRX9", "Intel Core i9-14900HX", 32, "1 TB SSD", '16" 2560x1600 240 Hz', "2.50", "2099.00", 6, ["gaming"]),
    ("Lenovo IdeaPad Slim 3", "Lenovo", "IdeaPad Slim 3 15", "AMD Ryzen 5 7530U", 8, "256 GB SSD", '15.6" 1920x1080', "1.62", "499.00", 30, ["student", "budget"]),
    ("Apple MacBook Air 13 M3", "Apple", "MacBook Air 13 (2024)", "Apple M3", 16, "512 GB SSD", '13.6" 2560x1664 Liquid Retina', "1.24", "1299.00", 25, ["ultralight", "student"]),
    ("Apple MacBook Air 15 M3", "Apple", "MacBook Air 15 (2024)", "Apple M3", 16, "512 GB SSD", '15.3" 2880x1864 Liquid Retina', "1.51", "1499.00", 14, ["ultralight"]),
    ("Apple MacBook Pro 14 M4 Pro", "Apple", "MacBook Pro 14 (2024)", "Apple M4 Pro", 24, "1 TB SSD", '14.2" 3024x1964 XDR', "1.60", "2399.00", 8, ["creator", "business"]),
    ("Apple MacBook Pro 16 M4 Max", "Apple", "MacBook Pro 16 (2024)", "Apple M4 Max", 48, "1 TB SSD", '16.2" 3456x2234 XDR', "2.14", "3999.00", 3, ["creator"]),
    ("Dell XPS 13", "Dell", "XPS 13 9340", "Intel Core Ultra 7 155H", 16, "512 GB SSD", '13.4" 1920x1200', "1.19", "1199.00", 15, ["ultralight"]),
    ("Dell XPS 16", "Dell", "XPS 16 9640", "Intel Core Ultra 9 185H", 32, "1 TB SSD", '16.3" 3840x2400 OLED', "2.13", "2599.00", 5, ["creator"]),
    ("Dell Latitude 7450", "Dell", "Latitude 7450", "Intel Core Ultra 5 135U", 16, "512 GB SSD", '14" 1920x1200', "1.36", "1429.00", 18, ["business"]),
    ("Dell Inspiron 15", "Dell", "Inspiron 15 3530", "Intel Core i5-1335U", 8, "512 GB SSD", '15.6" 1920x1080 120 Hz', "1.65", "579.00", 40, ["budget", "student"]),
    ("HP Spectre x360 14", "HP", "Spectre x360 14-eu0", "Intel Core Ultra 7 155H", 16, "1 TB SSD", '14" 2880x1800 OLED touch', "1.44", "1649.00", 9, ["2-in-1", "creator"]),
    ("HP EliteBook 840 G11", "HP", "EliteBook 840 G11", "Intel Core Ultra 5 125U", 16, "512 GB SSD", '14" 1920x1200', "1.38", "1349.00", 22, ["business"]),
    ("HP Pavilion 15", "HP", "Pavilion 15-eg3", "Intel Core i7-1355U", 16, "512 GB SSD", '15.6" 1920x1080', "1.74", "749.00", 26, ["student"]),
    ("HP Omen 16", "HP", "Omen 16-wf1", "Intel Core i7-14700HX", 32, "1 TB SSD", '16.1" 2560x1440 240 Hz', "2.36", "1799.00", 7, ["gaming"]),
    ("ASUS Zenbook 14 OLED", "ASUS", "Zenbook 14 UX3405", "Intel Core Ultra 7 155H", 16, "1 TB SSD", '14" 2880x1800 OLED', "1.20", "1099.00", 16, ["ultralight", "creator"]),
    ("ASUS ROG Zephyrus G14", "ASUS", "ROG Zephyrus G14 GA403", "AMD Ryzen 9 8945HS", 32, "1 TB SSD", '14" 2880x1800 OLED 120 Hz', "1.50", "1999.00", 4, ["gaming", "creator"]),
    ("ASUS Vivobook 16", "ASUS", "Vivobook 16 X1605", "Intel Core i5-1335U", 8, "512 GB SSD", '16" 1920x1200', "1.88", "549.00", 35, ["budget"]),
    ("ASUS TUF Gaming A15", "ASUS", "TUF Gaming A15 FA507", "AMD Ryzen 7 7735HS", 16, "1 TB SSD", '15.6" 1920x1080 144 Hz', "2.20", "999.00", 11, ["gaming", "budget"]),
    ("Acer Swift Go 14", "Acer", "Swift Go 14 SFG14-72", "Intel Core Ultra 5 125H", 16, "512 GB SSD", '14" 2880x1800 OLED', "1.32", "899.00", 19, ["ultralight", "student"]),
    ("Acer Aspire 5", "Acer", "Aspire 5 A515-58", "Intel Core i5-1335U", 8, "512 GB SSD", '15.6" 1920x1080', "1.77", "529.00", 33, ["budget", "student"]),
    ("Acer Predator Helios 16", "Acer", "Predator Helios 16 PH16-72", "Intel Core i9-14900HX", 32, "2 TB SSD", '16" 2560x1600 240 Hz', "2.70", "2499.00", 2, ["gaming"]),
    ("Microsoft Surface Laptop 7", "Microsoft", "Surface Laptop 7 13.8", "Snapdragon X Elite", 16, "512 GB SSD", '13.8" 2304x1536 touch', "1.34", "1399.00", 13, ["ultralight", "business"]),
    ("Microsoft Surface Pro 11", "Microsoft", "Surface Pro 11", "Snapdragon X Plus", 16, "256 GB SSD", '13" 2880x1920 OLED touch', "0.90", "1199.00", 10, ["2-in-1"]),
    ("Framework Laptop 13", "Framework", "Laptop 13 (AMD Ryzen 7040)", "AMD Ryzen 7 7840U", 32, "1 TB SSD", '13.5" 2256x1504', "1.30", "1469.00", None, ["repairable", "ultralight"]),
    ("Samsung Galaxy Book4 Pro", "Samsung", "Galaxy Book4 Pro 14", "Intel Core Ultra 7 155H", 16, "512 GB SSD", '14" 2880x1800 AMOLED', "1.23", "1449.00", 0, ["ultralight"]),
    ("Razer Blade 16", "Razer", "Blade 16 (2024)", "Intel Core i9-14900HX", 32, "2 TB SSD", '16" 2560x1600 240 Hz OLED', "2.45", "3299.00", 3, ["gaming", "creator"]),
]

FEATURED_SLUGS = [
    "apple-macbook-air-13-m3",
    "lenovo-thinkpad-x1-carbon-gen-12",
    "asus-rog-zephyrus-g14",
    "dell-xps-13",
    "framework-laptop-13",
    "hp-spectre-x360-14",
]

# More photos of a few products, after the main one: slug -> the views drawn (the alt text
# says "<product> <view>"). products/demo_images.py draws them, so nothing is downloaded.
GALLERY_VIEWS = {
    "apple-macbook-air-13-m3": ["from the side", "open, showing the keyboard", "closed"],
    "lenovo-thinkpad-x1-carbon-gen-12": ["from the side", "open, showing the keyboard"],
    "framework-laptop-13": ["from the side", "with its expansion cards out"],
}

# Products on sale for a fortnight after seeding: slug -> sale price.
SALES = {"dell-inspiron-15": "529.00", "lenovo-legion-pro-5": "1899.00"}

# Products sold in several configurations: slug -> (SKU, RAM GB, storage GB, colour, price or
# None for the product's, stock). The first is the configuration PRODUCTS describes, with its
# stock; the 1 TB MacBook Air is sold out, so its page shows an unavailable combination.
VARIANTS = {
    "dell-xps-13": [
        ("XPS13-16-512", 16, 512, "", None, 15),
        ("XPS13-32-1TB", 32, 1024, "", "1499.00", 6),
    ],
    "apple-macbook-air-13-m3": [
        ("MBA13-M3-16-512-MIDNIGHT", 16, 512, "Midnight", None, 25),
        ("MBA13-M3-16-512-SILVER", 16, 512, "Silver", None, 10),
        ("MBA13-M3-24-1TB-SILVER", 24, 1024, "Silver", "1699.00", 0),
    ],
    "lenovo-thinkpad-t14-gen-5": [
        ("T14G5-16-512", 16, 512, "", None, 20),
        ("T14G5-32-1TB", 32, 1024, "", "1549.00", 8),
    ],
}

# username, name, email, phone
# The demo shop's seller, printed on invoices and at the foot of every email.
SELLER = {
    "legal_name": "Storefront Laptops LLC",
    "address": "1200 NW Marshall Street, Suite 300\nPortland, OR 97209\nUnited States",
    "tax_number": "EIN 93-1234567",
    "support_email": "help@example.com",
}

CUSTOMERS = [
    ("ada", "Ada Lovelace", "ada@example.com", "5550101010"),
    ("grace", "Grace Hopper", "grace@example.com", "5550102020"),
    ("alan", "Alan Turing", "alan@example.com", "5550103030"),
]
DEMO_CUSTOMER_PASSWORD = "shop-demo-2024"
# Their address books (the first one is the default):
# recipient, line 1, line 2, city, state (USPS code), ZIP.
CUSTOMER_ADDRESSES = {
    "ada": [
        ("Ada Lovelace", "12 Analytical Row", "Apt 3", "Springfield", "IL", "62704"),
        ("Ada Lovelace", "1 Engine House", "", "Portland", "OR", "97201-1234"),
    ],
    "grace": [
        ("Grace Hopper", "200 Harbor Drive", "Suite 40", "Arlington", "VA", "22202"),
        ("Grace Hopper", "5 Compiler Court", "", "New York", "NY", "10001"),
    ],
    "alan": [("Alan Turing", "8 Enigma Lane", "", "Austin", "TX", "73301")],
}

# Staff to try each role's admin with (home/shared/roles.py); created in development only.
# username, name, role
DEMO_STAFF = [
    ("marketer", "Mara Marketing", roles.MARKETERS),
    ("support", "Sam Support", roles.SUPPORT),
    ("fulfilment", "Finn Fulfilment", roles.FULFILMENT),
]
DEMO_STAFF_PASSWORD = "staff-dev-only"


def product_specs(row):
    """StreamField data for a demo product row."""
    _name, brand, model, processor, ram, storage, display, weight, *_rest = row
    return [
        ("brand", brand),
        ("model", model),
        ("processor", processor),
        ("ram", ram),
        ("storage", storage),
        ("display", display),
        ("weight", Decimal(weight)),
        ("feature", {"label_text": "Warranty", "value_text": "2 years"}),
    ]


# Shipping methods of the demo shop: (name, estimate, flat price, price per kg, free from,
# states served; empty: all).
SHIPPING_METHODS = [
    ("Standard", "3–5 business days", "4.99", "1.50", "500.00", []),
    ("Express", "1–2 business days", "19.99", "3.00", None, []),
    ("Pickup at our Portland store", "Ready the next business day", "0.00", None, None, ["OR"]),
]

# Sales tax of a few states: (state, rate %, shipping taxed). Oregon has no sales tax.
TAX_RATES = [
    ("CA", "7.250", False),
    ("NY", "4.000", True),
    ("TX", "6.250", True),
    ("WA", "6.500", True),
    ("FL", "6.000", False),
]
